using System.Text.Json.Nodes;

namespace K8sCache.Operator.Api;

/// <summary>What the user asks for. Defaults are the CRD's (applied by the API server), repeated here for objects that
/// never passed one (the render command).</summary>
internal sealed class CacheGroupSpec
{
    /// <summary>Cache pods; the scale subresource's <c>.spec.replicas</c>. Default 3, at least 0.</summary>
    public int? Replicas { get; set; }

    /// <summary>The cache groups every pod serves; at least one, names unique.</summary>
    public List<GroupSpec> Groups { get; set; } = [];

    /// <summary>Key and value size limits of every pod.</summary>
    public LimitsSpec? Limits { get; set; }

    /// <summary>Optional PodTemplateSpec with the application's containers; the cache sidecar is added beside them.</summary>
    public JsonObject? Template { get; set; }

    /// <summary>The cache sidecar's image and resources.</summary>
    public SidecarSpec? Sidecar { get; set; }
}
