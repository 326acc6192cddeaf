using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Api;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Binds every method of the peer service (proto/k8scache/v1/peer.proto) to <see cref="PeerGrpcService"/>
/// without reflection (<see cref="GrpcMethods"/>). The methods are fields so that a test can hold them against the
/// proto.</summary>
internal sealed class PeerServiceMethods : IServiceMethodProvider<PeerGrpcService>
{
    private const string Service = "k8scache.v1.Peer";

    public static readonly Method<PeerGetRequest, PeerGetResponse> Get =
        GrpcMethods.Create<PeerGetRequest, PeerGetResponse>(MethodType.Unary, Service, "Get");

    public static readonly Method<PeerGetManyRequest, PeerGetManyItem> GetMany =
        GrpcMethods.Create<PeerGetManyRequest, PeerGetManyItem>(MethodType.ServerStreaming, Service, "GetMany");

    public static readonly Method<PeerSetRequest, PeerSetResponse> Set =
        GrpcMethods.Create<PeerSetRequest, PeerSetResponse>(MethodType.Unary, Service, "Set");

    public static readonly Method<PeerDeleteRequest, PeerDeleteResponse> Delete =
        GrpcMethods.Create<PeerDeleteRequest, PeerDeleteResponse>(MethodType.Unary, Service, "Delete");

    public static readonly Method<PeerExpireRequest, PeerExpireResponse> Expire =
        GrpcMethods.Create<PeerExpireRequest, PeerExpireResponse>(MethodType.Unary, Service, "Expire");

    public static readonly Method<PeerPeekRequest, PeerPeekResponse> Peek =
        GrpcMethods.Create<PeerPeekRequest, PeerPeekResponse>(MethodType.Unary, Service, "Peek");

    public static readonly Method<PeerRunRequest, PeerRunResponse> Run =
        GrpcMethods.Create<PeerRunRequest, PeerRunResponse>(MethodType.Unary, Service, "Run");

    public static readonly Method<InvalidateRequest, InvalidateResponse> Invalidate =
        GrpcMethods.Create<InvalidateRequest, InvalidateResponse>(MethodType.Unary, Service, "Invalidate");

    public static readonly Method<PingRequest, PingResponse> Ping =
        GrpcMethods.Create<PingRequest, PingResponse>(MethodType.Unary, Service, "Ping");

    public static readonly Method<PublishRequest, PublishResponse> Publish =
        GrpcMethods.Create<PublishRequest, PublishResponse>(MethodType.Unary, Service, "Publish");

    public static readonly Method<HandOverBatch, HandOverAck> HandOver =
        GrpcMethods.Create<HandOverBatch, HandOverAck>(MethodType.DuplexStreaming, Service, "HandOver");

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<PeerGrpcService> context)
    {
        var metadata = GrpcMethods.Metadata;
        context.AddUnaryMethod(Get, metadata, (s, r, c) => s.Get(r, c));
        context.AddServerStreamingMethod(GetMany, metadata, (s, r, w, c) => s.GetMany(r, w, c));
        context.AddUnaryMethod(Set, metadata, (s, r, c) => s.Set(r, c));
        context.AddUnaryMethod(Delete, metadata, (s, r, c) => s.Delete(r, c));
        context.AddUnaryMethod(Expire, metadata, (s, r, c) => s.Expire(r, c));
        context.AddUnaryMethod(Peek, metadata, (s, r, c) => s.Peek(r, c));
        context.AddUnaryMethod(Run, metadata, (s, r, c) => s.Run(r, c));
        context.AddUnaryMethod(Invalidate, metadata, (s, r, c) => s.Invalidate(r, c));
        context.AddUnaryMethod(Ping, metadata, (s, r, c) => s.Ping(r, c));
        context.AddUnaryMethod(Publish, metadata, (s, r, c) => s.Publish(r, c));
        context.AddDuplexStreamingMethod(HandOver, metadata, (s, r, w, c) => s.HandOver(r, w, c));
    }
}
