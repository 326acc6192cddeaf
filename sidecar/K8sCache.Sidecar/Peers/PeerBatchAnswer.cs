namespace K8sCache.Sidecar.Peers;

/// <summary>One key's answer in a batch Get (<see cref="IPeer.GetManyAsync"/>): the key's position in the batch, and
/// either the owner's value or why the owner could not give one for this key alone.</summary>
internal readonly record struct PeerBatchAnswer(int Index, PeerValue? Value, PeerCallException? Failure);
