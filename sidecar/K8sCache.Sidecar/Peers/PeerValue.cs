namespace K8sCache.Sidecar.Peers;

/// <summary>An owner's answer to a Get or a peek: whether it holds the key, its value (empty for a peek), its remaining
/// lifetime in milliseconds (0: none), and whether the loader forbade keeping copies (<c>no-store</c>).</summary>
internal sealed record PeerValue(bool Found, byte[] Value, long TtlMs, bool NoStore = false);
