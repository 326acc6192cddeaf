namespace K8sCache.Sidecar.Caching;

/// <summary>
/// The seam between the read path and the eviction policy: a byte-budgeted map from key to value with per-entry
/// expiry. <see cref="S3FifoCacheStore"/> (compact slab layout) is the default, <see cref="LruCacheStore"/> the option.
/// Implementations are thread-safe, never return an expired entry, and keep <see cref="Bytes"/> at or under
/// <see cref="MaxBytes"/> after every call; each store documents what an entry costs (<see cref="SizeOf"/>; docs/configuration.md,
/// "Memory accounting").
/// </summary>
internal interface ICacheStore
{
    /// <summary>The cursor <see cref="Scan"/> returns when the walk is over.</summary>
    const ulong ScanEnd = 1UL << 32;

    /// <summary>The budget in accounted bytes. Lowering it evicts at once.</summary>
    long MaxBytes { get; set; }

    /// <summary>Accounted bytes of the entries held.</summary>
    long Bytes { get; }

    int Count { get; }

    /// <summary>Entries removed to make room (not expirations, not deletes).</summary>
    long Evictions { get; }

    /// <summary>What an entry of this key and value length costs against the budget.</summary>
    long SizeOf(string key, int valueLength);

    /// <summary>The value as an array the caller owns (a store that keeps values in its own memory copies it out).</summary>
    bool TryGet(string key, long nowMs, out CacheValue value);

    /// <summary>The same lookup by a key not yet made a string (the Redis endpoint's hit path allocates nothing).</summary>
    bool TryGet(ReadOnlySpan<char> key, long nowMs, out CacheValue value);

    /// <summary>The value handed to <paramref name="reader"/> inside the store's lock, without a copy in between: the
    /// Redis endpoint's hit writes it straight into the connection's output. Strings only: for an entry of another
    /// kind the reader is not called and the answer is false.</summary>
    bool TryRead<TReader>(ReadOnlySpan<char> key, long nowMs, ref TReader reader)
        where TReader : ICacheValueReader, allows ref struct;

    /// <summary>Stores or replaces an entry, evicting as the policy chooses. An entry larger than the whole budget is
    /// not stored (and a previous value of the key is removed): false.</summary>
    bool Set(string key, byte[] value, long expiresAtMs, ValueKind kind = ValueKind.String);

    bool Remove(string key);

    /// <summary>Drops every entry.</summary>
    void Clear();

    /// <summary>Drops every entry whose key matches (rare events such as a ring change; scans the whole store).
    /// Returns how many were removed.</summary>
    int RemoveWhere(Func<string, bool> predicate);

    /// <summary>A step of a walk over every key (Redis's SCAN): the live keys whose place lies in
    /// [<paramref name="cursor"/>, returned cursor), about <paramref name="count"/> of them, added to
    /// <paramref name="keys"/> with their kinds. Places are 32-bit key hashes, so a walk from 0 until the returned
    /// cursor is <see cref="ScanEnd"/> visits every key held throughout exactly once, whatever is added, removed or
    /// resized meanwhile.</summary>
    ulong Scan(ulong cursor, int count, long nowMs, List<(string Key, ValueKind Kind)> keys);

    /// <summary>Reclaims expired entries, looking at no more than <paramref name="maxScan"/> of them per call so the
    /// lock is held briefly; successive calls continue where the last stopped. Returns how many were removed.</summary>
    int RemoveExpired(long nowMs, int maxScan);
}
