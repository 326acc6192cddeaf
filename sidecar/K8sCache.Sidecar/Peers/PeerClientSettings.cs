namespace K8sCache.Sidecar.Peers;

/// <summary>What every peer client is built with: the shared token, the deadline of one call, the largest message it
/// accepts (the value limit plus room for the envelope), and the failure detector's and the lease's parameters.</summary>
internal sealed record PeerClientSettings(string Token, TimeSpan Timeout, int MaxValueBytes, int FailuresToMarkDown, TimeSpan HotCopyLease);
