using System.Runtime.CompilerServices;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.PubSub;

/// <summary>
/// Cluster-wide pub/sub: a message published on this node reaches the subscribers here at once and every other
/// member's subscribers through that member's <see cref="PeerOutbox"/>; a message relayed from another member reaches
/// the subscribers here only, so no message travels more than one hop or arrives twice.
/// </summary>
internal sealed class MessageBus
{
    /// <summary>Most bytes of messages waiting for one peer; more are dropped. A peer that cannot take 32 MiB of
    /// messages in time is down or overloaded, and holding more would only move the problem into this node's memory.</summary>
    public const long MaxQueuedBytesPerPeer = 32L << 20;

    /// <summary>One outbox per peer client: a new client (a token change, a member that came back) gets a new one, and
    /// the old one goes with its client.</summary>
    private readonly ConditionalWeakTable<IMessageRelay, PeerOutbox> _outboxes = new();
    private readonly PeerSet _peers;
    private readonly Func<RespOptions> _options;
    private readonly ILogger _logger;

    public MessageBus(PeerSet peers, Func<RespOptions> options, ILogger logger)
    {
        _peers = peers;
        _options = options;
        _logger = logger;
        Subscriptions = new SubscriptionRegistry(Stats);
    }

    public PubSubStats Stats { get; } = new();

    public SubscriptionRegistry Subscriptions { get; }

    /// <summary>PUBLISH: delivers here and queues the message for every other member; returns how many subscribers
    /// here received it (what Redis Cluster answers too: the other nodes' subscribers are not counted).</summary>
    public int Publish(byte[] channel, byte[] payload)
    {
        Interlocked.Increment(ref Stats.Published);
        var message = new PeerMessage(channel, payload);
        foreach (var relay in _peers.Relays)
        {
            _outboxes.GetValue(relay, CreateOutbox).Enqueue(message);
        }

        return Subscriptions.Deliver(channel, payload);
    }

    /// <summary>Messages another member published: for the subscribers here only.</summary>
    public void DeliverRelayed(IEnumerable<PeerMessage> messages)
    {
        foreach (var message in messages)
        {
            Subscriptions.Deliver(message.Channel, message.Payload);
        }
    }

    // A batch is bounded as one Redis request is, which is what the receiving node's gate accepts for Publish.
    private PeerOutbox CreateOutbox(IMessageRelay relay) => new(relay, MaxQueuedBytesPerPeer, () => _options().MaxRequestBytes, Stats, _logger);
}
