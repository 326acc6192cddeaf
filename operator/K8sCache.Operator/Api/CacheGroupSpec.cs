using System.Text.Json.Nodes;

namespace K8sCache.Operator.Api;

/// <summary>What the user asks for. Unset sizes, timeouts and limits are left to the sidecar, which owns their defaults;
/// the replica count's default lives here and the CRD's <c>default</c> repeats it (a test keeps the two equal), so
/// objects that never passed an API server (the render command) mean the same.</summary>
internal sealed class CacheGroupSpec
{
    public const int DefaultReplicas = 3;

    /// <summary>Cache pods; the scale subresource's <c>.spec.replicas</c>. Default 3, at least 0.</summary>
    public int? Replicas { get; set; }

    /// <summary>The replica count in effect.</summary>
    public int DesiredReplicas() => Replicas ?? DefaultReplicas;

    /// <summary>The cache groups every pod serves; at least one, names unique.</summary>
    public List<GroupSpec> Groups { get; set; } = [];

    /// <summary>Key and value size limits of every pod.</summary>
    public LimitsSpec? Limits { get; set; }

    /// <summary>Optional PodTemplateSpec with the application's containers; the cache sidecar is added beside them.</summary>
    public JsonObject? Template { get; set; }

    /// <summary>Optional NetworkPolicy; none unless enabled.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; set; }

    /// <summary>Options of the Redis protocol endpoint.</summary>
    public RespSpec? Resp { get; set; }

    /// <summary>The cache sidecar's image and resources.</summary>
    public SidecarSpec? Sidecar { get; set; }
}
