using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// A group's main cache as an atomic program sees it on the key's owner: reads and writes of the keys it locked, at
/// one instant (<see cref="NowMs"/>), with the limits of the node. Every key written or removed is remembered, so the
/// owner can invalidate it on the other members afterwards; a write also drops this node's hot copy.
/// What must stay true: it is used only inside the fence of its program's keys, and only for those keys (SCAN aside,
/// which reads no value).
/// </summary>
internal sealed class AtomicEntries(ICacheStore main, ICacheStore hot, long nowMs, long defaultTtlMs, InputValidator validator)
{
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    public long NowMs { get; } = nowMs;

    /// <summary>The lifetime a key the program creates gets, in milliseconds (the group's TTL; 0: none).</summary>
    public long DefaultTtlMs { get; } = defaultTtlMs;

    public InputValidator Validator { get; } = validator;

    public IReadOnlyCollection<string> Changed => _changed;

    public bool TryGet(string key, out CacheValue value) => main.TryGet(key, NowMs, out value);

    /// <summary>Stores a value (checked against MaxValueBytes) with an absolute expiry; 0 is none.</summary>
    public void Set(string key, byte[] value, long expiresAtMs, ValueKind kind = ValueKind.String)
    {
        Validator.ValidateValue(value.Length);
        hot.Remove(key);
        main.Set(key, value, expiresAtMs, kind);
        _changed.Add(key);
    }

    /// <summary>The expiry a new key gets from <see cref="DefaultTtlMs"/>.</summary>
    public long DefaultExpiry() => DefaultTtlMs > 0 ? NowMs + DefaultTtlMs : 0;

    public bool Remove(string key)
    {
        var existed = main.Remove(key);
        hot.Remove(key);
        if (existed)
        {
            _changed.Add(key);
        }

        return existed;
    }

    /// <summary>A step of a walk over the keys this node holds (<see cref="ICacheStore.Scan"/>).</summary>
    public ulong Scan(ulong cursor, int count, List<(string Key, ValueKind Kind)> keys) => main.Scan(cursor, count, NowMs, keys);
}
