using System.Text;

namespace K8sCache.Client;

/// <summary>What a loader answers the sidecar: a value (with its lifetime, or the group's default), a value the
/// cluster must not keep, or "not found".</summary>
public readonly record struct K8sCacheLoad
{
    private K8sCacheLoad(bool found, ReadOnlyMemory<byte> value, TimeSpan? ttl, bool cacheable)
    {
        IsFound = found;
        Value = value;
        Ttl = ttl;
        Cacheable = cacheable;
    }

    /// <summary>Not found: the sidecar answers a miss, and asks again next time.</summary>
    public static K8sCacheLoad NotFound => default;

    /// <summary>Whether there is a value.</summary>
    public bool IsFound { get; }

    /// <summary>The value's bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>How long the cluster keeps it; null: the group's default.</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>False: returned to the callers waiting for it, kept by no node.</summary>
    public bool Cacheable { get; }

    /// <summary>A value, kept for <paramref name="ttl"/> (null: the group's default).</summary>
    public static K8sCacheLoad Found(ReadOnlyMemory<byte> value, TimeSpan? ttl = null)
    {
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), t, "a lifetime must be positive; use DoNotCache for a value not to keep");
        }

        return new(true, value, ttl, cacheable: true);
    }

    /// <summary>A text value (UTF-8), kept for <paramref name="ttl"/> (null: the group's default).</summary>
    public static K8sCacheLoad Found(string value, TimeSpan? ttl = null) => Found(Encoding.UTF8.GetBytes(value), ttl);

    /// <summary>A value for the callers waiting now that no node keeps (<c>Cache-Control: no-store</c>).</summary>
    public static K8sCacheLoad DoNotCache(ReadOnlyMemory<byte> value) => new(true, value, null, cacheable: false);
}
