using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Loading;

/// <summary>Builds a group's loader from its options: HTTP, gRPC, or none; <c>self</c> is the node's peer address.</summary>
internal static class LoaderFactory
{
    public static ILoader? Create(GroupOptions group, LimitsOptions limits, string? self) => group.Loader switch
    {
        { Url: { } url } loader => new HttpLoader(url, loader.Timeout, limits.MaxValueBytes, self),
        { Grpc: { } address } loader => new GrpcLoader(address, loader.Timeout, limits.MaxValueBytes),
        _ => null,
    };
}
