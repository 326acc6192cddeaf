namespace K8sCache.Sidecar.Peers;

/// <summary>What every peer client is built with: the shared token, the deadline of one call, and the largest
/// message it accepts (the value limit plus room for the envelope).</summary>
internal sealed record PeerClientSettings(string Token, TimeSpan Timeout, int MaxValueBytes);
