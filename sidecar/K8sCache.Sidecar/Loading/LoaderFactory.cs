using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Loading;

/// <summary>Builds a group's loader from its options: HTTP, gRPC, or none.</summary>
internal static class LoaderFactory
{
    public static ILoader? Create(GroupOptions group, LimitsOptions limits) => group.Loader switch
    {
        { Url: { } url } loader => new HttpLoader(url, loader.Timeout, limits.MaxValueBytes),
        { Grpc: { } address } loader => new GrpcLoader(address, loader.Timeout, limits.MaxValueBytes),
        _ => null,
    };
}
