namespace K8sCache.Sidecar.Caching;

/// <summary>
/// The seam between the read path and the eviction policy: a byte-budgeted map from key to value with per-entry
/// expiry. <see cref="LruCacheStore"/> is the policy today; S3-FIFO or W-TinyLFU would implement this interface.
/// Implementations are thread-safe, never return an expired entry, and keep <see cref="Bytes"/> at or under
/// <see cref="MaxBytes"/> after every call (accounting documented in docs/configuration.md, "Memory accounting").
/// </summary>
internal interface ICacheStore
{
    /// <summary>The budget in accounted bytes. Lowering it evicts at once.</summary>
    long MaxBytes { get; set; }

    /// <summary>Accounted bytes of the entries held.</summary>
    long Bytes { get; }

    int Count { get; }

    /// <summary>Entries removed to make room (not expirations, not deletes).</summary>
    long Evictions { get; }

    bool TryGet(string key, long nowMs, out CacheValue value);

    /// <summary>The same lookup by a key not yet made a string (the Redis endpoint's hit path allocates nothing).</summary>
    bool TryGet(ReadOnlySpan<char> key, long nowMs, out CacheValue value);

    /// <summary>Stores or replaces an entry, evicting as the policy chooses. An entry larger than the whole budget is
    /// not stored (and a previous value of the key is removed): false.</summary>
    bool Set(string key, byte[] value, long expiresAtMs);

    bool Remove(string key);

    /// <summary>Drops every entry.</summary>
    void Clear();

    /// <summary>Drops every entry whose key matches (rare events such as a ring change; scans the whole store).
    /// Returns how many were removed.</summary>
    int RemoveWhere(Func<string, bool> predicate);

    /// <summary>Reclaims expired entries, looking at no more than <paramref name="maxScan"/> of them per call so the
    /// lock is held briefly; successive calls continue where the last stopped. Returns how many were removed.</summary>
    int RemoveExpired(long nowMs, int maxScan);
}
