using System.Collections.Frozen;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// Everything one cache node owns — its ring, its peers, its groups — with no global state, so several nodes can live
/// in one process (local mode, tests). Membership and group changes swap immutable snapshots; readers never lock.
/// </summary>
internal sealed class CacheNode : IPeerPicker, IDisposable
{
    private readonly Func<GroupOptions, LimitsOptions, ILoader?> _loaderFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _changeLock = new();
    private readonly string _token;
    private volatile Membership _membership;
    private long _viewMismatches;
    private volatile FrozenDictionary<string, Group> _groups = FrozenDictionary<string, Group>.Empty;

    public CacheNode(SidecarOptions options, string peerToken, Func<GroupOptions, LimitsOptions, ILoader?> loaderFactory, TimeProvider timeProvider, ILogger logger)
    {
        Self = options.Self;
        Options = options;
        Validator = new InputValidator(options.Limits);
        _token = peerToken;
        _loaderFactory = loaderFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        _membership = new Membership(HashRing.Empty, FrozenDictionary<string, PeerClient>.Empty, [], Ready: false);
        ApplyGroups(options.Groups, options.Limits);
    }

    /// <summary>This node's address in the ring.</summary>
    public string Self { get; }

    public SidecarOptions Options { get; private set; }

    public InputValidator Validator { get; private set; }

    public HashRing Ring => _membership.Ring;

    /// <summary>True once discovery has produced a member list: the ring exists and owners are known.</summary>
    public bool IsReady => _membership.Ready;

    public IReadOnlyCollection<Group> Groups => _groups.Values;

    public IReadOnlyList<IPeer> Others => _membership.Others;

    /// <summary>The peer token every Peer call must carry.</summary>
    public string PeerToken => _token;

    public Group GetGroup(string name) =>
        _groups.TryGetValue(name, out var group)
            ? group
            : throw new InputException(InputErrorKind.UnknownGroup,
                $"unknown group '{name}'; this node serves: {string.Join(", ", _groups.Keys.Order(StringComparer.Ordinal))}");

    public IPeer? PickOwner(string key)
    {
        var membership = _membership;
        var owner = membership.Ring.Owner(key);
        return owner is null || owner == Self ? null : membership.Peers[owner];
    }

    /// <summary>Peer requests received from a node whose member list differed from this node's.</summary>
    public long ViewMismatches => Volatile.Read(ref _viewMismatches);

    public PeerHeader CreatePeerHeader() => new() { RingFingerprint = _membership.Ring.Fingerprint, Sender = Self };

    /// <summary>Counts a peer request sent under another view of the ring. Served all the same: a node asked for a key
    /// it does not own answers from its own cache or loader.</summary>
    public void ObservePeerView(PeerHeader? header)
    {
        if (header is not null && header.RingFingerprint != _membership.Ring.Fingerprint)
        {
            Interlocked.Increment(ref _viewMismatches);
        }
    }

    /// <summary>Rebuilds the ring when the member list differs from the current one. This node is always a member.</summary>
    public void UpdateMembers(IEnumerable<string> members)
    {
        lock (_changeLock)
        {
            var current = _membership;
            var next = members.Append(Self).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (current.Ready && next.SequenceEqual(current.Ring.Members, StringComparer.Ordinal))
            {
                return;
            }

            var peers = new Dictionary<string, PeerClient>(StringComparer.Ordinal);
            foreach (var member in next.Where(m => m != Self))
            {
                peers[member] = current.Peers.TryGetValue(member, out var existing)
                    ? existing
                    : new PeerClient(member, _token, Options.PeerTimeout, Options.Limits.MaxValueBytes, CreatePeerHeader);
            }

            var ring = HashRing.Create(next, current.Ring.Version + 1);
            _membership = new Membership(ring, peers.ToFrozenDictionary(StringComparer.Ordinal), peers.Values.ToArray(), Ready: true);
            NodeLog.RingChanged(_logger, Self, ring.Version, string.Join(",", next));

            // Calls in flight to a departed peer finish (or fail into a local load) before its connections close.
            var departed = current.Peers.Where(p => !peers.ContainsKey(p.Key)).Select(p => p.Value).ToArray();
            if (departed.Length > 0)
            {
                _ = DisposeLaterAsync(departed, Options.PeerTimeout);
            }
        }
    }

    /// <summary>Applies a reloaded configuration: limits and groups (new groups start empty, removed groups are dropped,
    /// changed groups keep their entries and get new budgets, TTL and loader). Addresses and discovery need a restart
    /// except the static member list, which discovery re-reads on its own.</summary>
    public void Reconfigure(SidecarOptions options)
    {
        lock (_changeLock)
        {
            Options = options;
            Validator = new InputValidator(options.Limits);
            ApplyGroups(options.Groups, options.Limits);
        }
    }

    public void Dispose()
    {
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }

        foreach (var peer in _membership.Peers.Values)
        {
            peer.Dispose();
        }
    }

    private void ApplyGroups(IReadOnlyList<GroupOptions> groups, LimitsOptions limits)
    {
        var current = _groups;
        var next = new Dictionary<string, Group>(StringComparer.Ordinal);
        foreach (var options in groups)
        {
            if (current.TryGetValue(options.Name, out var existing))
            {
                existing.Reconfigure(options, options == existing.Options ? existing.CurrentLoader : _loaderFactory(options, limits));
                next[options.Name] = existing;
            }
            else
            {
                next[options.Name] = new Group(Self, options, _loaderFactory(options, limits), this, Options.HotCacheTtl, _timeProvider, _logger);
            }
        }

        _groups = next.ToFrozenDictionary(StringComparer.Ordinal);
        foreach (var removed in current.Values.Where(g => !next.ContainsKey(g.Name)))
        {
            removed.Dispose();
        }
    }

    private static async Task DisposeLaterAsync(PeerClient[] peers, TimeSpan delay)
    {
        await Task.Delay(delay);
        foreach (var peer in peers)
        {
            peer.Dispose();
        }
    }

    /// <summary>One consistent view of the cluster: the ring and a client for every other member.</summary>
    private sealed record Membership(HashRing Ring, FrozenDictionary<string, PeerClient> Peers, IPeer[] Others, bool Ready);
}
