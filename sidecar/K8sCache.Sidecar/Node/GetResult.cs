using K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Node;

/// <summary>The answer to a Get: the value (if found), its remaining lifetime (0 = none) and where it came from.</summary>
internal readonly record struct GetResult(bool Found, byte[] Value, long RemainingMs, CacheSource Source)
{
    public static GetResult NotFound(CacheSource source) => new(false, [], 0, source);
}
