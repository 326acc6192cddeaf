namespace K8sCache.Sidecar.Configuration;

/// <summary>One cache group: a name, a memory budget per node, a default TTL and an optional loader.</summary>
internal sealed record GroupOptions
{
    /// <summary>The group's name: a DNS label (lower-case letters, digits, '-'; at most 63). Required.</summary>
    public required string Name { get; init; }

    /// <summary>Bytes this node spends on the group: the main cache plus a hot cache of 1/8 of it. Unset: its weight's
    /// share of what the node's memory limit leaves (<see cref="SidecarOptionsReader"/>), or 64Mi with no limit.</summary>
    public long MaxBytes { get; init; } = Defaults.GroupMaxBytes;

    /// <summary>The group's share, relative to the other groups without a MaxBytes, of the budget derived from the
    /// memory limit. Default 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Lifetime of entries that carry none of their own (a Set without ttl, a load without max-age).
    /// Null: no expiry.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>What a full budget drops first. Default S3-FIFO; a change empties the group's caches.</summary>
    public EvictionPolicy Eviction { get; init; } = EvictionPolicy.S3Fifo;

    /// <summary>Where misses are filled from; null makes the group a plain key-value cache.</summary>
    public LoaderOptions? Loader { get; init; }
}
