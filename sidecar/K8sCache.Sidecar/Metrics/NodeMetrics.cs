using System.Diagnostics.Metrics;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.HandOver;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Metrics;

/// <summary>
/// The node's instruments on a <see cref="Meter"/> named <c>K8sCache.Sidecar</c>, so OpenTelemetry can export the same
/// figures the Prometheus endpoint shows. All are observable: they read the groups' counters when collected, and the
/// hot path pays nothing for them. Names follow groupcache's Stats.
/// </summary>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "K8sCache.Sidecar";

    public NodeMetrics(CacheNode node, PeerSet peers, MessageBus bus, HandOverStats handOver)
    {
        Meter = new Meter(MeterName, "1.0");
        Counter(node, "k8scache.gets", "Gets from applications and peers.", s => s.Gets);
        Counter(node, "k8scache.cache_hits", "Gets answered from the main cache.", s => s.CacheHits);
        Counter(node, "k8scache.hot_hits", "Gets answered from the hot cache.", s => s.HotHits);
        Counter(node, "k8scache.misses", "Gets that missed both caches.", s => s.Misses);
        Counter(node, "k8scache.peer_loads", "Values fetched from the owning peer.", s => s.PeerLoads);
        Counter(node, "k8scache.peer_errors", "Failed peer calls (the read loaded locally instead).", s => s.PeerErrors);
        Counter(node, "k8scache.owner_down_loads", "Misses loaded locally at once because their owner was marked down.", s => s.OwnerDownLoads);
        Counter(node, "k8scache.loads_deduped", "Misses that joined a fetch or load already in flight.", s => s.LoadsDeduped);
        Counter(node, "k8scache.local_loads", "Calls of the group's loader.", s => s.LocalLoads);
        Counter(node, "k8scache.local_load_errors", "Loader calls that failed.", s => s.LocalLoadErrors);
        Counter(node, "k8scache.server_requests", "Gets received from peers.", s => s.ServerRequests);
        Counter(node, "k8scache.invalidations", "Keys dropped because their owner said they changed.", s => s.Invalidations);
        Counter(node, "k8scache.handover_received", "Entries another member handed over, stored here.", s => s.HandOverReceived);
        Counter(node, "k8scache.handover_rejected", "Handed entries refused: held here already, or changed here meanwhile.", s => s.HandOverRejected);
        Counter(node, "k8scache.handover_pulls", "Misses answered by the key's previous owner after a ring change instead of the loader.", s => s.HandOverPulls);
        Meter.CreateObservableCounter("k8scache.evictions", () => PerCache(node, c => c.Evictions),
            description: "Entries evicted to stay within the byte budget.");
        Meter.CreateObservableGauge("k8scache.bytes", () => PerCache(node, c => c.Bytes),
            unit: "By", description: "Accounted bytes held.");
        Meter.CreateObservableGauge("k8scache.max_bytes", () => PerCache(node, c => c.MaxBytes),
            unit: "By", description: "Byte budget.");
        Meter.CreateObservableGauge("k8scache.items", () => PerCache(node, c => c.Count),
            description: "Entries held.");
        Meter.CreateObservableGauge("k8scache.ready", () => !node.Draining && peers.IsReady ? 1L : 0L,
            description: "1 while /readyz answers ready (the ring is built and the node is not shutting down).");
        Meter.CreateObservableGauge("k8scache.ring_members", () => (long)peers.Ring.Members.Count,
            description: "Members of this node's ring, itself included.");
        Meter.CreateObservableGauge("k8scache.ring_version", () => peers.Ring.Version,
            description: "Version of this node's ring; increases on every membership change.");
        Meter.CreateObservableGauge("k8scache.ring_fingerprint", () => (long)(peers.Ring.Fingerprint & uint.MaxValue),
            description: "Low 32 bits of the fingerprint of this node's member list: nodes that agree on the ring show the same value.");
        Meter.CreateObservableCounter("k8scache.ring_view_mismatches", () => peers.ViewMismatches,
            description: "Peer requests from nodes whose member list differed from this node's.");
        Meter.CreateObservableGauge("k8scache.peers_down", () => (long)peers.DownCount,
            description: "Peers this node's failure detector holds down: their keys load locally without waiting.");
        Meter.CreateObservableCounter("k8scache.peers_marked_down", () => peers.MarkedDown,
            description: "Times a peer was marked down after failed calls in a row.");
        Meter.CreateObservableGauge("k8scache.loads_in_flight", () => node.Groups.Select(g =>
            new Measurement<long>(g.LoadsInFlight, new KeyValuePair<string, object?>("group", g.Name))),
            description: "Loader calls running now.");
        PubSub(bus);
        HandOver(handOver);
    }

    public Meter Meter { get; }

    public void Dispose() => Meter.Dispose();

    private void HandOver(HandOverStats stats)
    {
        Meter.CreateObservableCounter("k8scache.handover_sent", () => Volatile.Read(ref stats.EntriesSent),
            description: "Entries this node handed to their next owner (on SIGTERM, or when keys moved to a new member).");
        Meter.CreateObservableCounter("k8scache.handover_sent_bytes", () => Volatile.Read(ref stats.BytesSent),
            unit: "By", description: "Bytes of the values handed over.");
        Meter.CreateObservableCounter("k8scache.handover_stored", () => Volatile.Read(ref stats.EntriesStored),
            description: "Handed entries their receivers stored.");
        Meter.CreateObservableCounter("k8scache.handover_dropped", () => Volatile.Read(ref stats.EntriesDropped),
            description: "Entries not handed over: the time ran out, or the owner could not be reached.");
        Meter.CreateObservableGauge("k8scache.handover_last_duration", () => Volatile.Read(ref stats.LastDurationMs) / 1000.0,
            unit: "s", description: "How long the last hand-over took.");
    }

    private void PubSub(MessageBus bus)
    {
        var stats = bus.Stats;
        Meter.CreateObservableCounter("k8scache.pubsub_published", () => Volatile.Read(ref stats.Published),
            description: "Messages published on this node's Redis endpoint.");
        Meter.CreateObservableCounter("k8scache.pubsub_delivered", () => Volatile.Read(ref stats.Delivered),
            description: "Messages handed to subscribers on this node, from any node (one per subscriber).");
        Meter.CreateObservableCounter("k8scache.pubsub_relayed", () => Volatile.Read(ref stats.Relayed),
            description: "Messages sent to other nodes (one per peer).");
        Meter.CreateObservableCounter("k8scache.pubsub_relay_dropped", () => Volatile.Read(ref stats.RelayDropped),
            description: "Messages for other nodes dropped: the peer was down, its outbox full, or the call failed.");
        Meter.CreateObservableCounter("k8scache.pubsub_slow_subscribers_closed", () => Volatile.Read(ref stats.SlowSubscribersClosed),
            description: "Subscribers disconnected for not reading their messages (Resp:MaxSubscriberBacklogBytes).");
        Meter.CreateObservableGauge("k8scache.pubsub_channels", () => (long)bus.Subscriptions.ChannelCount,
            description: "Channels with a subscriber on this node, the invalidation channels included.");
    }

    private void Counter(CacheNode node, string name, string description, Func<GroupStats, long> read) =>
        Meter.CreateObservableCounter(name, () => node.Groups.Select(g =>
            new Measurement<long>(read(g.Stats), new KeyValuePair<string, object?>("group", g.Name))), description: description);

    private static IEnumerable<Measurement<long>> PerCache(CacheNode node, Func<ICacheStore, long> read) =>
        node.Groups.SelectMany(g => new[]
        {
            new Measurement<long>(read(g.Main), new("group", g.Name), new("cache", "main")),
            new Measurement<long>(read(g.Hot), new("group", g.Name), new("cache", "hot")),
        });
}
