using System.Collections.Frozen;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Hashing;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// The cluster as this node sees it: the ring, one client per other member, and the header every peer request
/// carries. A membership change swaps one immutable snapshot, so readers never lock and never see a ring whose
/// members have no clients. Clients of departed members are disposed only after calls in flight had time to finish.
/// </summary>
internal sealed partial class PeerSet : IPeerPicker, IDisposable
{
    private readonly Lock _changeLock = new();
    private readonly ILogger _logger;
    private volatile Snapshot _snapshot = new(HashRing.Empty, FrozenDictionary<string, PeerClient>.Empty, [], Ready: false);
    private volatile PeerClientSettings _settings;
    private long _viewMismatches;

    public PeerSet(string self, PeerClientSettings settings, ILogger logger)
    {
        Self = self;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>This node's address in the ring.</summary>
    public string Self { get; }

    public HashRing Ring => _snapshot.Ring;

    /// <summary>True once discovery has produced a member list: the ring exists and owners are known.</summary>
    public bool IsReady => _snapshot.Ready;

    public IReadOnlyList<IPeer> Others => _snapshot.Others;

    /// <summary>Peer requests received from a node whose member list differed from this node's.</summary>
    public long ViewMismatches => Volatile.Read(ref _viewMismatches);

    /// <summary>Settings for clients created from now on (a reloaded configuration); existing clients keep theirs.</summary>
    public PeerClientSettings Settings
    {
        get => _settings;
        set => _settings = value;
    }

    public IPeer? PickOwner(string key)
    {
        var snapshot = _snapshot;
        var owner = snapshot.Ring.Owner(key);
        return owner is null || owner == Self ? null : snapshot.Peers[owner];
    }

    public PeerHeader CreateHeader() => new() { RingFingerprint = _snapshot.Ring.Fingerprint, Sender = Self };

    /// <summary>Counts a peer request sent under another view of the ring. Served all the same: a node asked for a key
    /// it does not own answers from its own cache or loader.</summary>
    public void ObserveView(PeerHeader? header)
    {
        if (header is not null && header.RingFingerprint != _snapshot.Ring.Fingerprint)
        {
            Interlocked.Increment(ref _viewMismatches);
        }
    }

    /// <summary>Rebuilds the ring when the member list differs from the current one. This node is always a member.</summary>
    public void UpdateMembers(IEnumerable<string> members)
    {
        lock (_changeLock)
        {
            var current = _snapshot;
            var next = MemberList.Normalize(members, Self);
            if (current.Ready && next.SequenceEqual(current.Ring.Members, StringComparer.Ordinal))
            {
                return;
            }

            var settings = _settings;
            var peers = new Dictionary<string, PeerClient>(StringComparer.Ordinal);
            foreach (var member in next.Where(m => m != Self))
            {
                peers[member] = current.Peers.TryGetValue(member, out var existing) ? existing : new PeerClient(member, settings, CreateHeader);
            }

            var ring = HashRing.Create(next, current.Ring.Version + 1);
            _snapshot = new Snapshot(ring, peers.ToFrozenDictionary(StringComparer.Ordinal), peers.Values.ToArray(), Ready: true);
            LogRingChanged(_logger, Self, ring.Version, string.Join(",", next));

            var departed = current.Peers.Where(p => !peers.ContainsKey(p.Key)).Select(p => p.Value).ToArray();
            if (departed.Length > 0)
            {
                _ = DisposeLaterAsync(departed, settings.Timeout);
            }
        }
    }

    public void Dispose()
    {
        foreach (var peer in _snapshot.Peers.Values)
        {
            peer.Dispose();
        }
    }

    /// <summary>Calls in flight to a departed peer finish (or fail into a local load) before its connections close.</summary>
    private static async Task DisposeLaterAsync(PeerClient[] peers, TimeSpan delay)
    {
        await Task.Delay(delay);
        foreach (var peer in peers)
        {
            peer.Dispose();
        }
    }

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "{Node} ring version {Version}: {Members}")]
    private static partial void LogRingChanged(ILogger logger, string node, long version, string members);

    /// <summary>One consistent view of the cluster: the ring and a client for every other member.</summary>
    private sealed record Snapshot(HashRing Ring, FrozenDictionary<string, PeerClient> Peers, IPeer[] Others, bool Ready);
}
