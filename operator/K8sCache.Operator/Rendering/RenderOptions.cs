namespace K8sCache.Operator.Rendering;

/// <summary>Operator-wide settings that shape what is rendered.</summary>
internal sealed record RenderOptions
{
    public const string DefaultImage = "ghcr.io/k8scache/sidecar:0.1.0";

    public const string DefaultClusterDomain = "cluster.local";

    /// <summary>The sidecar image used when a CacheGroup names none.</summary>
    public string DefaultSidecarImage { get; init; } = DefaultImage;

    /// <summary>The cluster's DNS domain, for the headless Service's name in the discovery URI. Clusters set up with
    /// another <c>--cluster-domain</c> on the kubelet need it here too.</summary>
    public string ClusterDomain { get; init; } = DefaultClusterDomain;
}
