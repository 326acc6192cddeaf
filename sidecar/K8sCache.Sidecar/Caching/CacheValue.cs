namespace K8sCache.Sidecar.Caching;

/// <summary>A stored value, when it expires (in <see cref="MonotonicClock"/> milliseconds; 0 means never) and what kind
/// of value it is.</summary>
internal readonly record struct CacheValue(byte[] Value, long ExpiresAtMs, ValueKind Kind = ValueKind.String)
{
    /// <summary>Remaining lifetime for the wire: 0 for no expiry, else at least 1 ms.</summary>
    public long RemainingMs(long nowMs) => ExpiresAtMs == 0 ? 0 : Math.Max(1, ExpiresAtMs - nowMs);
}
