using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Api;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Binds every method of the peer service (proto/k8scache/v1/peer.proto) to <see cref="PeerGrpcService"/>
/// without reflection (<see cref="GrpcMethods"/>).</summary>
internal sealed class PeerServiceMethods : IServiceMethodProvider<PeerGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<PeerGrpcService> context)
    {
        var peer = Peer.Descriptor;
        var metadata = GrpcMethods.Metadata;
        context.AddUnaryMethod(GrpcMethods.Create<PeerGetRequest, PeerGetResponse>(peer, MethodType.Unary, "Get"), metadata, (s, r, c) => s.Get(r, c));
        context.AddServerStreamingMethod(GrpcMethods.Create<PeerGetManyRequest, PeerGetManyItem>(peer, MethodType.ServerStreaming, "GetMany"), metadata,
            (s, r, w, c) => s.GetMany(r, w, c));
        context.AddUnaryMethod(GrpcMethods.Create<PeerSetRequest, PeerSetResponse>(peer, MethodType.Unary, "Set"), metadata, (s, r, c) => s.Set(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PeerDeleteRequest, PeerDeleteResponse>(peer, MethodType.Unary, "Delete"), metadata, (s, r, c) => s.Delete(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PeerExpireRequest, PeerExpireResponse>(peer, MethodType.Unary, "Expire"), metadata, (s, r, c) => s.Expire(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PeerPeekRequest, PeerPeekResponse>(peer, MethodType.Unary, "Peek"), metadata, (s, r, c) => s.Peek(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PeerRunRequest, PeerRunResponse>(peer, MethodType.Unary, "Run"), metadata, (s, r, c) => s.Run(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<InvalidateRequest, InvalidateResponse>(peer, MethodType.Unary, "Invalidate"), metadata,
            (s, r, c) => s.Invalidate(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PingRequest, PingResponse>(peer, MethodType.Unary, "Ping"), metadata, (s, r, c) => s.Ping(r, c));
        context.AddUnaryMethod(GrpcMethods.Create<PublishRequest, PublishResponse>(peer, MethodType.Unary, "Publish"), metadata, (s, r, c) => s.Publish(r, c));
        context.AddDuplexStreamingMethod(GrpcMethods.Create<HandOverBatch, HandOverAck>(peer, MethodType.DuplexStreaming, "HandOver"), metadata,
            (s, r, w, c) => s.HandOver(r, w, c));
    }
}
