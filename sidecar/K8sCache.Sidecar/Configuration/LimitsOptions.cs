namespace K8sCache.Sidecar.Configuration;

/// <summary>Input limits, enforced on every entry point (HTTP, gRPC, peers, loaders).</summary>
internal sealed record LimitsOptions
{
    /// <summary>Largest key, in UTF-8 bytes. Default 1024.</summary>
    public int MaxKeyBytes { get; init; } = Defaults.MaxKeyBytes;

    /// <summary>Largest value, in bytes. Default 1 MiB.</summary>
    public int MaxValueBytes { get; init; } = Defaults.MaxValueBytes;

    /// <summary>Most keys in one GetMany. Default 1000.</summary>
    public int MaxBatchKeys { get; init; } = Defaults.MaxBatchKeys;
}
