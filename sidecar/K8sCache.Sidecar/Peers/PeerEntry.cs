using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Peers;

/// <summary>An entry on its way to its new owner: its key, value, remaining lifetime (0: none) and kind.</summary>
internal readonly record struct PeerEntry(string Key, byte[] Value, long TtlMs, ValueKind Kind)
{
    /// <summary>What the entry weighs in a batch: its bytes and their framing.</summary>
    public int Size => Key.Length * 3 + Value.Length + 24;
}
