namespace K8sCache.Sidecar.PubSub;

/// <summary>A client that subscribed to channels or patterns (a connection of the Redis endpoint).</summary>
internal interface ISubscriber
{
    /// <summary>Hands over one message: on a channel it subscribed to (<paramref name="pattern"/> null), or matching
    /// one of its patterns. Must not block the publisher: a subscriber that cannot keep up disconnects itself.</summary>
    void Deliver(byte[]? pattern, byte[] channel, byte[] payload);
}
