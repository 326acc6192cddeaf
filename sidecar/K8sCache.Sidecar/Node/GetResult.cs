namespace K8sCache.Sidecar.Node;

/// <summary>The answer to a Get: the value (if found), its remaining lifetime (0 = none), where it came from, and
/// whether the loader forbade keeping it (<c>no-store</c>): then no node keeps a copy.</summary>
internal readonly record struct GetResult(bool Found, byte[] Value, long RemainingMs, CacheSource Source, bool NoStore = false)
{
    public static GetResult NotFound(CacheSource source) => new(false, [], 0, source);
}
