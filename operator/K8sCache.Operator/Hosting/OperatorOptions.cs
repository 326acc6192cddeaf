using K8sCache.Operator.Rendering;

namespace K8sCache.Operator.Hosting;

/// <summary>The operator's settings, section <c>Operator</c> (environment <c>Operator__Key</c>, flags
/// <c>--Operator:Key=value</c>). The Helm chart sets them.</summary>
internal sealed record OperatorOptions
{
    /// <summary>Namespaces to watch, comma-separated; empty watches all.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];

    /// <summary>Elect one active replica through a Lease. Default true.</summary>
    public bool LeaderElection { get; init; } = true;

    public string LeaseName { get; init; } = "k8scache-operator";

    /// <summary>Namespace of the Lease; default the operator's own.</summary>
    public string? LeaseNamespace { get; init; }

    /// <summary>This replica's name in the Lease; default POD_NAME, else the host name.</summary>
    public string Identity { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>CacheGroups reconciled at the same time. Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How long CacheGroups may wait with no reconcile finishing before /healthz fails (the kubelet then
    /// restarts the operator). Default 2m.</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The sidecar image for CacheGroups that name none.</summary>
    public string SidecarImage { get; init; } = RenderOptions.DefaultImage;

    /// <summary>The cluster's DNS domain (the kubelet's <c>--cluster-domain</c>). Default cluster.local.</summary>
    public string ClusterDomain { get; init; } = RenderOptions.DefaultClusterDomain;

    /// <summary>The OTLP collector the operator exports to (its <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), given to the cache
    /// pods too; null: none.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>The operator's <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, given to the cache pods with the endpoint.</summary>
    public string? OtlpProtocol { get; init; }

    /// <summary>Where /metrics, /healthz and /readyz are served. Default 0.0.0.0:8080.</summary>
    public string MetricsAddress { get; init; } = "0.0.0.0:8080";
}
