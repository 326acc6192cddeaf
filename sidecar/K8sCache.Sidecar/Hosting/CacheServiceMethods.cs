using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Api;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Binds every method of the application's gRPC service (proto/k8scache/v1/cache.proto) to <see
/// cref="CacheGrpcService"/> without reflection (<see cref="GrpcMethods"/>).</summary>
internal sealed class CacheServiceMethods : IServiceMethodProvider<CacheGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<CacheGrpcService> context)
    {
        var cache = Cache.Descriptor;
        var metadata = GrpcMethods.Metadata;
        context.AddUnaryMethod(GrpcMethods.Create<GetRequest, GetResponse>(cache, MethodType.Unary, "Get"), metadata, (s, r, c) => s.Get(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<SetRequest, SetResponse>(cache, MethodType.Unary, "Set"), metadata, (s, r, c) => s.Set(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<DeleteRequest, DeleteResponse>(cache, MethodType.Unary, "Delete"), metadata, (s, r, c) => s.Delete(r, c));
        context.AddServerStreamingMethod(GrpcMethods.Create<GetManyRequest, GetManyItem>(cache, MethodType.ServerStreaming, "GetMany"), metadata,
            (s, r, w, c) => s.GetMany(r, w, c));
    }
}
