namespace K8sCache.Sidecar.Peers;

/// <summary>A change in a peer's liveness as this node's failure detector sees it.</summary>
internal enum HealthChange
{
    None,
    WentDown,
    CameUp,
}
