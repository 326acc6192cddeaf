namespace K8sCache.Sidecar.Peers;

/// <summary>An owner's answer to an atomic program: its reply, and the peers it could not invalidate.</summary>
internal sealed record PeerRun(byte[] Reply, IReadOnlyList<string> UnreachablePeers);
