namespace K8sCache.Operator.Api;

/// <summary>A group's loader: an HTTP URL template with {key}, or a gRPC Loader address; exactly one.</summary>
internal sealed class LoaderSpec
{
    public string? Url { get; set; }

    public string? Grpc { get; set; }

    /// <summary>A duration. Unset: the sidecar's default.</summary>
    public string? Timeout { get; set; }
}
