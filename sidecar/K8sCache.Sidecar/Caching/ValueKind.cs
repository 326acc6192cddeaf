namespace K8sCache.Sidecar.Caching;

/// <summary>What an entry's bytes are, as Redis's TYPE names it. Only strings are loaded, fetched from owners, copied
/// to other nodes or served by Get; a hash lives in its owner's main cache alone and is read and written there.</summary>
internal enum ValueKind
{
    String = 0,

    /// <summary>A Redis hash, its fields encoded by the Redis endpoint (one value, owned and expired as a whole).</summary>
    Hash = 1,
}
