using System.Text.Json.Nodes;

namespace K8sCache.Operator.Api;

/// <summary>
/// Opt-in NetworkPolicy for the cache pods. When enabled, the pods accept: the peer port from the group's own pods
/// only; the metrics port from <see cref="MetricsFrom"/>; the ports the application's containers declare from
/// <see cref="ApplicationFrom"/>. Everything else is closed, so an empty source list closes its ports.
/// </summary>
internal sealed class NetworkPolicySpec
{
    /// <summary>Render the NetworkPolicy. Default false: no policy (and one made earlier is removed).</summary>
    public bool? Enabled { get; set; }

    /// <summary>NetworkPolicyPeers (podSelector, namespaceSelector, ipBlock) that may scrape the metrics port.</summary>
    public List<JsonObject>? MetricsFrom { get; set; }

    /// <summary>NetworkPolicyPeers that may reach the application's declared container ports.</summary>
    public List<JsonObject>? ApplicationFrom { get; set; }
}
