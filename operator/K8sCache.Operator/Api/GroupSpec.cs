namespace K8sCache.Operator.Api;

/// <summary>One cache group (see docs/configuration.md for its meaning on the sidecar).</summary>
internal sealed class GroupSpec
{
    /// <summary>A DNS label, unique within the CacheGroup.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Per pod, a Kubernetes quantity. Unset: the sidecar's default.</summary>
    public string? MaxBytes { get; set; }

    /// <summary>Default TTL, a duration such as 5m. None: no expiry.</summary>
    public string? Ttl { get; set; }

    /// <summary>With no maxBytes: the group's share (1–1000, relative to the other such groups) of the budget the sidecar
    /// derives from its memory limit. Unset: 1.</summary>
    public int? Weight { get; set; }

    /// <summary>S3Fifo or Lru. Unset: the sidecar's default (S3Fifo).</summary>
    public string? Eviction { get; set; }

    public LoaderSpec? Loader { get; set; }
}
