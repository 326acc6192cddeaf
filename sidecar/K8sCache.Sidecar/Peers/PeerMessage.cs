namespace K8sCache.Sidecar.Peers;

/// <summary>A message published on a channel, as it travels to the other nodes' subscribers.</summary>
internal readonly record struct PeerMessage(byte[] Channel, byte[] Payload)
{
    /// <summary>What the message costs in a relay batch and an outbox: its bytes and their framing.</summary>
    public int Size => Channel.Length + Payload.Length + 16;
}
