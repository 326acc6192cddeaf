namespace K8sCache.Sidecar.Peers;

/// <summary>Another node as pub/sub sees it: it takes messages published here to its own subscribers. A failed call
/// throws <see cref="PeerCallException"/>.</summary>
internal interface IMessageRelay
{
    /// <summary>The peer's address as the ring names it.</summary>
    string Address { get; }

    /// <summary>The failure detector marked the peer down: messages for it are dropped rather than queued.</summary>
    bool IsDown { get; }

    /// <summary>Hands the peer <paramref name="messages"/>, in order.</summary>
    Task PublishAsync(IReadOnlyList<PeerMessage> messages, CancellationToken cancellationToken);
}
