namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>What a pod's sidecar reports about reaching the origin: loads the loader answered, and Gets whose owner did
/// not answer (peer errors and owner-down loads), each of which may load locally.</summary>
internal readonly record struct LoadCounts(long Origin, long Fallbacks)
{
    public static LoadCounts operator +(LoadCounts a, LoadCounts b) => new(a.Origin + b.Origin, a.Fallbacks + b.Fallbacks);

    public static LoadCounts operator -(LoadCounts a, LoadCounts b) => new(a.Origin - b.Origin, a.Fallbacks - b.Fallbacks);

    /// <summary>Each count's larger value: counters only grow, so a lower sample is an older one.</summary>
    public static LoadCounts Max(LoadCounts a, LoadCounts b) => new(Math.Max(a.Origin, b.Origin), Math.Max(a.Fallbacks, b.Fallbacks));
}
