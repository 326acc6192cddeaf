using System.Collections.Frozen;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// One cache node's groups and the limits its entry points enforce, with no global state, so several nodes can live
/// in one process (local mode, tests). The ring and the peers live in the <see cref="PeerSet"/> the groups route
/// through. A reconfiguration swaps an immutable snapshot of the groups; readers never lock.
/// </summary>
internal sealed class CacheNode : IDisposable
{
    private readonly PeerSet _peers;
    private readonly Func<GroupOptions, LimitsOptions, ILoader?> _loaderFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IAtomicRunner? _atomicRunner;
    private readonly Lock _changeLock = new();
    private volatile FrozenDictionary<string, Group> _groups = FrozenDictionary<string, Group>.Empty;

    /// <summary><see cref="_groups"/> looked up by characters, obtained once per change of the groups: getting it
    /// checks the comparer's interfaces, which costs more than the lookup on every Redis command. Replaced with
    /// <see cref="_groups"/>; one reference, so a reader sees either table whole.</summary>
    private FrozenDictionary<string, Group>.AlternateLookup<ReadOnlySpan<char>> _groupsByChars;

    /// <summary>A node of the given groups. <paramref name="atomicRunner"/> runs the Redis endpoint's atomic programs
    /// (counters, hashes, transactions) on this node as the owner of their keys; without it they are refused.</summary>
    public CacheNode(
        SidecarOptions options, PeerSet peers, Func<GroupOptions, LimitsOptions, ILoader?> loaderFactory, TimeProvider timeProvider, ILogger logger,
        IAtomicRunner? atomicRunner = null)
    {
        _atomicRunner = atomicRunner;
        Options = options;
        Validator = new InputValidator(options.Limits);
        _peers = peers;
        _loaderFactory = loaderFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        ApplyGroups(options.Groups, options.Limits);
        _peers.CopiesInvalidated += DropHotCopies;
        _peers.ChangesMissed += OnChangesMissed;
        _peers.RingChanged += OnRingChanged;
    }

    public SidecarOptions Options { get; private set; }

    public InputValidator Validator { get; private set; }

    public IReadOnlyCollection<Group> Groups => _groups.Values;

    /// <summary>A key changed on this node (group, key): a write this node applied as the key's owner, or an owner's
    /// invalidation. Raised synchronously, once the caches hold the change and before the write or the invalidation is
    /// answered.</summary>
    public event Action<string, string>? KeyChanged;

    /// <summary>This node may have missed invalidations (see <see cref="PeerSet.ChangesMissed"/>): any key of another
    /// owner may have changed without <see cref="KeyChanged"/> being raised for it.</summary>
    public event Action? ChangesMayBeMissed;

    /// <summary>SIGTERM arrived: the node still serves, but reports itself not ready so traffic moves elsewhere.</summary>
    public bool Draining { get; set; }

    public Group GetGroup(string name) =>
        _groups.TryGetValue(name, out var group)
            ? group
            : throw new InputException(InputErrorKind.UnknownGroup,
                $"unknown group '{name}'; this node serves: {string.Join(", ", _groups.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Finds a group by a name not yet made a string (the Redis endpoint's key prefixes).</summary>
    public bool TryGetGroup(ReadOnlySpan<char> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Group? group) =>
        _groupsByChars.TryGetValue(name, out group);

    /// <summary>The admission step of every entry point (HTTP, gRPC, peers): the group must exist and the key must be
    /// within the limits. Throws <see cref="InputException"/> naming what is wrong.</summary>
    public Group Admit(string groupName, string key)
    {
        var group = GetGroup(groupName);
        Validator.ValidateKey(key);
        return group;
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
            _peers.Settings = _peers.Settings with { Timeout = options.PeerTimeout, MaxValueBytes = options.Limits.MaxValueBytes };
            ApplyGroups(options.Groups, options.Limits);
        }
    }

    public void Dispose()
    {
        _peers.CopiesInvalidated -= DropHotCopies;
        _peers.ChangesMissed -= OnChangesMissed;
        _peers.RingChanged -= OnRingChanged;
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }
    }

    private void DropHotCopies()
    {
        foreach (var group in _groups.Values)
        {
            group.DropHotCopies();
        }
    }

    private void OnChangesMissed() => ChangesMayBeMissed?.Invoke();

    private void OnKeyChanged(string group, string key) => KeyChanged?.Invoke(group, key);

    /// <summary>Keys may have changed hands: each group keeps what it no longer owns for the hand-over window, then
    /// drops it, unless the ring changed again meanwhile (that change's window ends it).</summary>
    private void OnRingChanged(HashRing ring)
    {
        foreach (var group in _groups.Values)
        {
            if (Options.HandOverTimeout <= TimeSpan.Zero)
            {
                // Hand-over turned off: nobody will ask for them.
                group.DropUnowned();
            }
            else
            {
                group.BeginTransition();
            }
        }

        _ = EndTransitionLaterAsync(ring.Version);
    }

    private async Task EndTransitionLaterAsync(long version)
    {
        await Task.Delay(Defaults.HandOverWindow, _timeProvider);
        if (_peers.Ring.Version == version)
        {
            foreach (var group in _groups.Values)
            {
                group.EndTransition();
            }
        }
    }

    private void ApplyGroups(IReadOnlyList<GroupOptions> groups, LimitsOptions limits)
    {
        var current = _groups;
        var next = new Dictionary<string, Group>(StringComparer.Ordinal);
        foreach (var options in groups)
        {
            // A group keeps its entries across a change, unless its eviction policy changed: then it starts empty
            // with stores of the new kind.
            if (current.TryGetValue(options.Name, out var existing) && existing.Options.Eviction == options.Eviction)
            {
                existing.Reconfigure(options, options == existing.Options ? existing.CurrentLoader : _loaderFactory(options, limits));
                next[options.Name] = existing;
            }
            else
            {
                var group = new Group(_peers.Self, options, _loaderFactory(options, limits), _peers, Options.HotCacheTtl, _timeProvider, _logger, _atomicRunner, () => Validator);
                group.KeyChanged += OnKeyChanged;
                next[options.Name] = group;
            }
        }

        _groups = next.ToFrozenDictionary(StringComparer.Ordinal);
        _groupsByChars = _groups.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var removed in current.Values.Where(g => !next.TryGetValue(g.Name, out var kept) || !ReferenceEquals(kept, g)))
        {
            removed.Dispose();
        }
    }
}
