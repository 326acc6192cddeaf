namespace K8sCache.Sidecar.Peers;

/// <summary>An owner's answer to a forwarded write: whether it applied (a conditional write may not; a Delete or an
/// Expire of a missing key does not), the peers it could not invalidate, and for a Set that asked for it the value
/// the key held before.</summary>
internal sealed record PeerWrite(bool Applied, IReadOnlyList<string> UnreachablePeers, bool PreviousFound = false, byte[]? Previous = null);
