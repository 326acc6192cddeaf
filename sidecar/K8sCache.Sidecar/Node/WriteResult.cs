namespace K8sCache.Sidecar.Node;

/// <summary>The answer to a Delete or an Expire: whether the owner held the key (and, for an Expire, changed its
/// lifetime), and the peers that could not be told to drop their hot copy (they may serve the old value until it
/// expires).</summary>
internal readonly record struct WriteResult(bool Existed, IReadOnlyList<string> UnreachablePeers);
