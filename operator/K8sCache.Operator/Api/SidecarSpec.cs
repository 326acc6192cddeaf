using System.Text.Json.Nodes;

namespace K8sCache.Operator.Api;

/// <summary>The cache sidecar container. An empty image means the operator's default sidecar image.</summary>
internal sealed class SidecarSpec
{
    public string? Image { get; set; }

    public string? ImagePullPolicy { get; set; }

    /// <summary>A ResourceRequirements object (requests, limits), passed through.</summary>
    public JsonObject? Resources { get; set; }
}
