namespace K8sCache.Sidecar.Configuration;

/// <summary>How a group chooses what to drop when its budget is full.</summary>
internal enum EvictionPolicy
{
    /// <summary>S3-FIFO: a small admission queue, a main queue with 2-bit CLOCK, a ghost queue. The default: fewer
    /// misses than LRU where one-time keys (scans) pass through, no worse elsewhere (docs/benchmarks.md).</summary>
    S3Fifo,

    /// <summary>Least recently used.</summary>
    Lru,
}
