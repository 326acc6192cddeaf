namespace K8sCache.Operator.Rendering;

/// <summary>Operator-wide settings that shape what is rendered.</summary>
internal sealed record RenderOptions
{
    /// <summary>The sidecar image used when a CacheGroup names none.</summary>
    public string DefaultSidecarImage { get; init; } = "ghcr.io/k8scache/sidecar:0.1.0";

    /// <summary>The cluster's DNS domain, for the headless Service's name in the discovery URI.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";
}
