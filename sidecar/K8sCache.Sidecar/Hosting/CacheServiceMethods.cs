using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Api;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Binds every method of the application's gRPC service (proto/k8scache/v1/cache.proto) to <see
/// cref="CacheGrpcService"/> without reflection (<see cref="GrpcMethods"/>). The methods are fields so that a test can hold
/// them against the proto.</summary>
internal sealed class CacheServiceMethods : IServiceMethodProvider<CacheGrpcService>
{
    private const string Service = "k8scache.v1.Cache";

    public static readonly Method<GetRequest, GetResponse> Get =
        GrpcMethods.Create<GetRequest, GetResponse>(MethodType.Unary, Service, "Get");

    public static readonly Method<SetRequest, SetResponse> Set =
        GrpcMethods.Create<SetRequest, SetResponse>(MethodType.Unary, Service, "Set");

    public static readonly Method<DeleteRequest, DeleteResponse> Delete =
        GrpcMethods.Create<DeleteRequest, DeleteResponse>(MethodType.Unary, Service, "Delete");

    public static readonly Method<GetManyRequest, GetManyItem> GetMany =
        GrpcMethods.Create<GetManyRequest, GetManyItem>(MethodType.ServerStreaming, Service, "GetMany");

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<CacheGrpcService> context)
    {
        var metadata = GrpcMethods.Metadata;
        context.AddUnaryMethod(Get, metadata, (s, r, c) => s.Get(r, c));
        context.AddUnaryMethod(Set, metadata, (s, r, c) => s.Set(r, c));
        context.AddUnaryMethod(Delete, metadata, (s, r, c) => s.Delete(r, c));
        context.AddServerStreamingMethod(GetMany, metadata, (s, r, w, c) => s.GetMany(r, w, c));
    }
}
