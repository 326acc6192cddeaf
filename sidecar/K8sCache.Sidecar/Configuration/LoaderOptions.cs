namespace K8sCache.Sidecar.Configuration;

/// <summary>A group's loader: an HTTP URL template or a gRPC <c>k8scache.v1.Loader</c> service; exactly one.</summary>
internal sealed record LoaderOptions
{
    /// <summary>HTTP URL template with <c>{key}</c> and optionally <c>{group}</c>, both URL-escaped when substituted.</summary>
    public string? Url { get; init; }

    /// <summary>Address of a gRPC Loader service, <c>http://host:port</c>.</summary>
    public string? Grpc { get; init; }

    /// <summary>How long one load may take before it fails. Default 2s.</summary>
    public TimeSpan Timeout { get; init; } = Defaults.LoaderTimeout;
}
