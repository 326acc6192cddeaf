using K8sCache.Protocol.Grpc;

namespace K8sCache.Protocol.V1;

/// <summary>The methods of <c>k8scache.v1.Cache</c> (proto/k8scache/v1/cache.proto), as generated gRPC code would
/// describe them.</summary>
public static class CacheService
{
    /// <summary>The fully qualified service name.</summary>
    public const string Name = "k8scache.v1.Cache";

    /// <summary>Cache.Get.</summary>
    public static readonly GrpcMethod<GetRequest, GetResponse> Get =
        new(MethodType.Unary, Name, "Get", GetRequest.Parser, GetResponse.Parser);

    /// <summary>Cache.Set.</summary>
    public static readonly GrpcMethod<SetRequest, SetResponse> Set =
        new(MethodType.Unary, Name, "Set", SetRequest.Parser, SetResponse.Parser);

    /// <summary>Cache.Delete.</summary>
    public static readonly GrpcMethod<DeleteRequest, DeleteResponse> Delete =
        new(MethodType.Unary, Name, "Delete", DeleteRequest.Parser, DeleteResponse.Parser);

    /// <summary>Cache.GetMany.</summary>
    public static readonly GrpcMethod<GetManyRequest, GetManyItem> GetMany =
        new(MethodType.ServerStreaming, Name, "GetMany", GetManyRequest.Parser, GetManyItem.Parser);
}
