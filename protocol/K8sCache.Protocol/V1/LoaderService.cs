using K8sCache.Protocol.Grpc;

namespace K8sCache.Protocol.V1;

/// <summary>The methods of <c>k8scache.v1.Loader</c> (proto/k8scache/v1/loader.proto).</summary>
public static class LoaderService
{
    /// <summary>The fully qualified service name.</summary>
    public const string Name = "k8scache.v1.Loader";

    /// <summary>Loader.Load.</summary>
    public static readonly GrpcMethod<LoadRequest, LoadResponse> Load =
        new(MethodType.Unary, Name, "Load", LoadRequest.Parser, LoadResponse.Parser);
}
