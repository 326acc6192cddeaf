namespace K8sCache.Sidecar.PubSub;

/// <summary>What pub/sub did since the node started, for <c>/v1/stats</c>, INFO and the Prometheus endpoint.</summary>
internal sealed class PubSubStats
{
    /// <summary>Messages published on this node's Redis endpoint.</summary>
    public long Published;

    /// <summary>Messages handed to a subscriber on this node (one message to three subscribers counts three).</summary>
    public long Delivered;

    /// <summary>Messages sent to another node (one message to two peers counts two).</summary>
    public long Relayed;

    /// <summary>Messages for another node that were dropped: its outbox was full, it was down, or the call failed.</summary>
    public long RelayDropped;

    /// <summary>Subscribers disconnected because they did not read their messages fast enough.</summary>
    public long SlowSubscribersClosed;
}
