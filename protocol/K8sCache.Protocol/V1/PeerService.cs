using K8sCache.Protocol.Grpc;

namespace K8sCache.Protocol.V1;

/// <summary>The methods of <c>k8scache.v1.Peer</c> (proto/k8scache/v1/peer.proto).</summary>
public static class PeerService
{
    /// <summary>The fully qualified service name.</summary>
    public const string Name = "k8scache.v1.Peer";

    /// <summary>Peer.Get.</summary>
    public static readonly GrpcMethod<PeerGetRequest, PeerGetResponse> Get =
        new(MethodType.Unary, Name, "Get", PeerGetRequest.Parser, PeerGetResponse.Parser);

    /// <summary>Peer.Set.</summary>
    public static readonly GrpcMethod<PeerSetRequest, PeerSetResponse> Set =
        new(MethodType.Unary, Name, "Set", PeerSetRequest.Parser, PeerSetResponse.Parser);

    /// <summary>Peer.Delete.</summary>
    public static readonly GrpcMethod<PeerDeleteRequest, PeerDeleteResponse> Delete =
        new(MethodType.Unary, Name, "Delete", PeerDeleteRequest.Parser, PeerDeleteResponse.Parser);

    /// <summary>Peer.Expire.</summary>
    public static readonly GrpcMethod<PeerExpireRequest, PeerExpireResponse> Expire =
        new(MethodType.Unary, Name, "Expire", PeerExpireRequest.Parser, PeerExpireResponse.Parser);

    /// <summary>Peer.Peek.</summary>
    public static readonly GrpcMethod<PeerPeekRequest, PeerPeekResponse> Peek =
        new(MethodType.Unary, Name, "Peek", PeerPeekRequest.Parser, PeerPeekResponse.Parser);

    /// <summary>Peer.Invalidate.</summary>
    public static readonly GrpcMethod<InvalidateRequest, InvalidateResponse> Invalidate =
        new(MethodType.Unary, Name, "Invalidate", InvalidateRequest.Parser, InvalidateResponse.Parser);

    /// <summary>Peer.Ping.</summary>
    public static readonly GrpcMethod<PingRequest, PingResponse> Ping =
        new(MethodType.Unary, Name, "Ping", PingRequest.Parser, PingResponse.Parser);
}
