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

    /// <summary>An OTLP collector for the cache pods: rendered into every sidecar as the standard OTEL_* variables, with
    /// the pod's name, namespace and CacheGroup as resource attributes. Null: the sidecars export nothing.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c> (OTEL_EXPORTER_OTLP_PROTOCOL); null: the SDK's default.</summary>
    public string? OtlpProtocol { get; init; }
}
