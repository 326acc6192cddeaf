namespace K8sCache.Sidecar.Node;

/// <summary>An atomic program's reply, and the peers its owner could not tell to drop their copies of the keys it
/// changed.</summary>
internal sealed record AtomicResult(byte[] Reply, IReadOnlyList<string> UnreachablePeers);
