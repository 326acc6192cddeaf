namespace K8sCache.Sidecar.Peers;

/// <summary>The receiver's answer to a batch of handed entries: how many it stored, how many it refused.</summary>
internal readonly record struct HandOverResult(int Applied, int Rejected);
