using System.Collections.Frozen;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// The cluster as this node sees it: the ring, one client per other member, the header every peer request carries,
/// and the pings that detect failed peers and renew the leases on hot copies (docs/design.md §4). A membership change
/// swaps one immutable snapshot, so readers never lock and never see a ring whose members have no clients. Clients of
/// departed members are disposed only after calls in flight had time to finish.
/// </summary>
internal sealed partial class PeerSet : IPeerPicker, IDisposable
{
    private readonly Lock _changeLock = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private volatile Snapshot _snapshot = new(HashRing.Empty, FrozenDictionary<string, PeerClient>.Empty, [], Ready: false);
    private volatile PeerClientSettings _settings;
    private volatile PeerHeader? _header;
    private readonly HashSet<string> _leaving = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private string[] _discovered = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(HashRing Ring, string Member), HashRing> _previousWithout = new();
    private volatile HashRing? _previousRing;
    private long _ringChangedAtMs;
    private long _viewMismatches;
    private long _markedDown;

    public PeerSet(string self, PeerClientSettings settings, TimeProvider timeProvider, ILogger logger)
    {
        Self = self;
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised when hot copies of other owners' keys may be stale and must be dropped before any is served
    /// again: a peer went down or came back, or a peer says this node missed an invalidation. Handlers run
    /// synchronously, before the lease that would let the copies be served is renewed.</summary>
    public event Action? CopiesInvalidated;

    /// <summary>Raised when this node may have missed invalidations since it was last in touch with a peer: the peer
    /// went down or came back, or its count of undelivered invalidations changed. Unlike
    /// <see cref="CopiesInvalidated"/>, not raised when a peer's count is first learned (nothing was held before).</summary>
    public event Action? ChangesMissed;

    /// <summary>Raised after the ring changed, with the new ring.</summary>
    public event Action<HashRing>? RingChanged;

    /// <summary>This node's address in the ring.</summary>
    public string Self { get; }

    public HashRing Ring => _snapshot.Ring;

    /// <summary>True once discovery has produced a member list: the ring exists and owners are known.</summary>
    public bool IsReady => _snapshot.Ready;

    public IReadOnlyList<IPeer> Others => _snapshot.Others;

    /// <summary>The other members, as pub/sub relays messages to them.</summary>
    public IEnumerable<IMessageRelay> Relays => _snapshot.Peers.Values;

    /// <summary>Peer requests received from a node whose member list differed from this node's.</summary>
    public long ViewMismatches => Volatile.Read(ref _viewMismatches);

    /// <summary>Times a peer was marked down since this node started.</summary>
    public long MarkedDown => Volatile.Read(ref _markedDown);

    /// <summary>Peers currently marked down.</summary>
    public int DownCount => _snapshot.Peers.Values.Count(p => p.IsDown);

    /// <summary>Replaces every peer client with one that sends <paramref name="token"/>: the token file changed. The
    /// old clients finish their calls and are disposed later; the new ones start without leases, as at startup.</summary>
    public void UseToken(string token)
    {
        lock (_changeLock)
        {
            var current = _snapshot;
            var settings = _settings = _settings with { Token = token };
            var peers = current.Peers.ToDictionary(p => p.Key, p => new PeerClient(p.Key, settings, CurrentHeader, OnHealthChange), StringComparer.Ordinal);
            _snapshot = current with { Peers = peers.ToFrozenDictionary(StringComparer.Ordinal), Others = peers.Values.ToArray() };
            if (current.Peers.Count > 0)
            {
                _ = DisposeLaterAsync(current.Peers.Values.ToArray(), settings.Timeout);
            }
        }

        CopiesInvalidated?.Invoke();
    }

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

    /// <summary>What every request to a peer says about this node: built once per ring and shared by every request
    /// sent under it, so it must never be changed after it is built.</summary>
    public PeerHeader CurrentHeader()
    {
        var fingerprint = _snapshot.Ring.Fingerprint;
        var header = _header;
        if (header is null || header.RingFingerprint != fingerprint)
        {
            header = new PeerHeader { RingFingerprint = fingerprint, Sender = Self };
            _header = header;
        }

        return header;
    }

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
            _discovered = MemberList.Normalize(members, Self);
            _leaving.IntersectWith(_discovered);
            _answered.IntersectWith(_discovered);
            Rebuild();
        }
    }

    /// <summary>The ring is the discovered members less those that said they are leaving, and less newcomers to a
    /// running ring until they answer a ping (a pod listed before it listens would only cost its keys a load each).
    /// The first ring takes every member: they were there before this node. Every discovered member keeps its client
    /// (a leaving one still gets invalidations until discovery drops it).</summary>
    private void Rebuild()
    {
        var current = _snapshot;
        var ringMembers = _discovered.Where(m => m == Self
            || !_leaving.Contains(m) && (!current.Ready || current.Ring.Members.Contains(m) || _answered.Contains(m))).ToArray();
        var others = _discovered.Where(m => m != Self).ToArray();
        if (current.Ready && ringMembers.SequenceEqual(current.Ring.Members, StringComparer.Ordinal)
            && others.Length == current.Peers.Count && others.All(current.Peers.ContainsKey))
        {
            return;
        }

        var settings = _settings;
        var peers = new Dictionary<string, PeerClient>(StringComparer.Ordinal);
        foreach (var member in others)
        {
            peers[member] = current.Peers.TryGetValue(member, out var existing)
                ? existing
                : new PeerClient(member, settings, CurrentHeader, OnHealthChange);
        }

        var ringChanged = !current.Ready || !ringMembers.SequenceEqual(current.Ring.Members, StringComparer.Ordinal);
        var ring = ringChanged ? HashRing.Create(ringMembers, current.Ring.Version + 1) : current.Ring;
        if (ringChanged)
        {
            Volatile.Write(ref _ringChangedAtMs, MonotonicClock.NowMs(_timeProvider));
            // A node that just started had no ring: its keys were, if anywhere, with their owners in the ring without it.
            _previousRing = current.Ready ? current.Ring : HashRing.Create(ringMembers.Where(m => m != Self), 0);
            _previousWithout.Clear();
        }

        _snapshot = new Snapshot(ring, peers.ToFrozenDictionary(StringComparer.Ordinal), peers.Values.ToArray(), Ready: true);
        if (ringChanged)
        {
            LogRingChanged(_logger, Self, ring.Version, string.Join(",", ringMembers));
            RingChanged?.Invoke(ring);
        }

        var departed = current.Peers.Where(p => !peers.ContainsKey(p.Key)).Select(p => p.Value).ToArray();
        if (departed.Length > 0)
        {
            _ = DisposeLaterAsync(departed, settings.Timeout);
        }
    }

    /// <summary>A peer answered a ping: a newcomer joins this node's ring now that it listens, and a peer that says it
    /// is leaving leaves it (one that stops saying so is back).</summary>
    private void ObserveAnswer(PeerClient peer, bool leaving)
    {
        lock (_changeLock)
        {
            var changed = _answered.Add(peer.Address);
            changed |= leaving ? _leaving.Add(peer.Address) : _leaving.Remove(peer.Address);
            if (changed)
            {
                Rebuild();
            }
        }
    }

    /// <summary>This node is shutting down and handed its entries over: its ping answers say so, and its peers take it
    /// out of their rings (<see cref="PingResponse.Leaving"/>).</summary>
    public bool Leaving { get; set; }

    /// <summary>Whether entries follow their keys (<c>HandOverTimeout</c> above 0): then a new owner asks the previous one.</summary>
    public bool HandOver { get; set; } = true;

    public IPeer? PreviousOwner(string key, int choice = 0)
    {
        if (!HandOver || _previousRing is not { } previous || MonotonicClock.NowMs(_timeProvider) - Volatile.Read(ref _ringChangedAtMs) > (long)Defaults.HandOverWindow.TotalMilliseconds)
        {
            return null;
        }

        var address = previous.Owner(key);
        if (choice > 0 && address is not null)
        {
            // One ring per member left out, made when first needed, for as long as this previous ring stands.
            var without = _previousWithout.GetOrAdd((previous, address), static p => HashRing.Create(p.Ring.Members.Where(m => m != p.Member), 0));
            address = without.Owner(key);
        }

        return address is not null && address != Self && _snapshot.Peers.TryGetValue(address, out var peer) && !peer.IsDown ? peer : null;
    }

    /// <summary>The client of the member at <paramref name="address"/>; null when it is not a member.</summary>
    public PeerClient? Member(string address) => _snapshot.Peers.GetValueOrDefault(address);

    /// <summary>Answers a peer's ping: whether it is a member, and how many invalidations it missed.</summary>
    public PingResponse AnswerPing(PeerHeader? header)
    {
        ObserveView(header);
        return header is not null && _snapshot.Peers.TryGetValue(header.Sender, out var peer)
            ? new PingResponse { Member = true, MissedInvalidations = peer.Ledger.AnswerPing(MonotonicClock.NowMs(_timeProvider)), Leaving = Leaving }
            : new PingResponse { Member = false, Leaving = Leaving };
    }

    /// <summary>Pings every other member every <paramref name="interval"/> until stopped; one ping per peer at a time,
    /// each with a deadline of the lease length (a later answer could not renew anything).</summary>
    public async Task RunPingsAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        var inFlight = new HashSet<PeerClient>();
        using var timer = new PeriodicTimer(interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var peer in _snapshot.Peers.Values)
                {
                    lock (inFlight)
                    {
                        if (!inFlight.Add(peer))
                        {
                            continue;
                        }
                    }

                    _ = PingAsync(peer, inFlight, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    public void Dispose()
    {
        foreach (var peer in _snapshot.Peers.Values)
        {
            peer.Dispose();
        }
    }

    private async Task PingAsync(PeerClient peer, HashSet<PeerClient> inFlight, CancellationToken stoppingToken)
    {
        try
        {
            var sentAt = MonotonicClock.NowMs(_timeProvider);
            var answer = await peer.PingAsync(_settings.HotCopyLease, stoppingToken);
            ObserveAnswer(peer, answer.Member && answer.Leaving);
            if (!answer.Member)
            {
                return;
            }

            // Copies first, lease second: a copy that missed an invalidation must be gone before it could be served.
            if (peer.Health.MissedChanged(answer.MissedInvalidations, out var known))
            {
                CopiesInvalidated?.Invoke();
                if (known)
                {
                    ChangesMissed?.Invoke();
                }
            }

            peer.Health.RenewLease(sentAt);
        }
        catch (Exception e) when (e is PeerCallException or OperationCanceledException or ObjectDisposedException)
        {
            // Counted by the client's failure detector; a departed peer's disposed channel ends its pings.
        }
        finally
        {
            lock (inFlight)
            {
                inFlight.Remove(peer);
            }
        }
    }

    private void OnHealthChange(PeerClient peer, HealthChange change)
    {
        if (change == HealthChange.WentDown)
        {
            Interlocked.Increment(ref _markedDown);
            LogMarkedDown(_logger, Self, peer.Address, peer.Health.FailuresToMarkDown);
        }
        else
        {
            LogMarkedUp(_logger, Self, peer.Address);
        }

        // Down: copies fetched from the peer may have missed its invalidations. Up: what this node loaded itself while
        // the owner was unreachable knows nothing of writes the owner applied meanwhile.
        CopiesInvalidated?.Invoke();
        ChangesMissed?.Invoke();
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

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "{Node} marked peer {Peer} down after {Failures} failed calls in a row; its keys load locally until a ping succeeds")]
    private static partial void LogMarkedDown(ILogger logger, string node, string peer, int failures);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "{Node} marked peer {Peer} up again")]
    private static partial void LogMarkedUp(ILogger logger, string node, string peer);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "{Node} ring version {Version}: {Members}")]
    private static partial void LogRingChanged(ILogger logger, string node, long version, string members);

    /// <summary>One consistent view of the cluster: the ring and a client for every other member.</summary>
    private sealed record Snapshot(HashRing Ring, FrozenDictionary<string, PeerClient> Peers, IPeer[] Others, bool Ready);
}
