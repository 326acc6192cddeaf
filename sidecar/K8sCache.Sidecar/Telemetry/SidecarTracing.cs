using System.Diagnostics;

namespace K8sCache.Sidecar.Telemetry;

/// <summary>
/// The sidecar's spans: one per Get, Set and Delete (<c>k8scache.get</c>, <c>k8scache.set</c>, <c>k8scache.delete</c>),
/// a client span per peer call (<c>k8scache.peer/METHOD</c>) and per loader call (<c>k8scache.load</c>). Attributes
/// name the group, the outcome and the peer; never the key. With no listener (no exporter configured) starting a span
/// returns null and costs a check of one field, so the hit path pays nothing.
/// </summary>
internal static class SidecarTracing
{
    public const string SourceName = "K8sCache.Sidecar";

    public const string GroupTag = "k8scache.group";

    /// <summary>hit, hot_hit, peer, load, not_found or error.</summary>
    public const string OutcomeTag = "k8scache.outcome";

    public const string PeerTag = "k8scache.peer";

    /// <summary>Set on the Get span of a request that came from a peer (the owner's side of a fetch).</summary>
    public const string FromPeerTag = "k8scache.from_peer";

    public const string LoaderTag = "k8scache.loader";

    public static ActivitySource Source { get; } = new(SourceName, "1.0");
}
