namespace K8sCache.Sidecar.Node;

/// <summary>The answer to a Set: whether it was stored (false only when its condition did not hold), the value held
/// before when asked for, and the peers that could not be told to drop their hot copy.</summary>
internal readonly record struct SetResult(bool Applied, bool PreviousFound, byte[] Previous, IReadOnlyList<string> UnreachablePeers);
