using System.Diagnostics;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Coalescing;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Telemetry;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// One named group on one node: the read path of docs/design.md §2 and the writes around it, with the guarantees of §4.
/// <para>Two caches: <c>main</c> holds keys this node owns; <c>hot</c> holds copies of other owners' keys (1 in 10
/// peer fetches, as groupcache does, and values loaded locally while their owner was unreachable). A hot copy is served
/// only while the owner's lease runs (or the owner is down), never by the owner itself.</para>
/// <para>Two single-flight groups keep the cluster free of loops and deadlocks: <c>_fetches</c> covers a local miss
/// (peer fetch or load); <c>_loads</c> covers loader calls only. A request from a peer joins <c>_loads</c> and never
/// fetches from another peer, so no chain of nodes can wait on itself.</para>
/// <para>Writes fence per key (<see cref="KeyFences"/>): a value read before a write never lands after it. What the
/// owner applies is <see cref="OwnerWrites"/>, how an application's write reaches the owner <see cref="ApplicationWrites"/>,
/// the invalidations after it <see cref="InvalidationFanOut"/> (the methods in <c>Group.Writes.cs</c>), the timing and spans of Gets <see cref="GetObserver"/>.</para>
/// </summary>
internal sealed partial class Group : IDisposable
{
    /// <summary>The hot cache gets 1/8 of the group's budget, the main cache the rest.</summary>
    public const int HotCacheDivisor = 8;

    /// <summary>One peer fetch in this many keeps a hot copy (groupcache's rand.Intn(10) == 0).</summary>
    public const int HotCopyOneIn = 10;

    private readonly string _node;
    private readonly IPeerPicker _picker;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _hotCacheTtl;
    private readonly SingleFlight<GetResult> _fetches = new();
    private readonly SingleFlight<GetResult> _loads = new();
    private readonly KeyFences _fences;
    private readonly OwnerWrites _ownerWrites;
    private readonly ApplicationWrites _writes;
    private readonly GetObserver _observer;
    private readonly LoaderCalls _loaderCalls;
    private readonly IAtomicRunner? _runner;
    private readonly Func<InputValidator> _validator;
    private readonly Func<string, Flight, Task<GetResult>> _fetch;
    private volatile Settings _settings;

    public Group(
        string node, GroupOptions options, ILoader? loader, IPeerPicker picker, TimeSpan hotCacheTtl, TimeProvider timeProvider, ILogger logger,
        IAtomicRunner? runner = null, Func<InputValidator>? validator = null)
    {
        _runner = runner;
        _validator = validator ?? (() => new InputValidator(new LimitsOptions()));
        _node = node;
        Name = options.Name;
        _picker = picker;
        _timeProvider = timeProvider;
        _logger = logger;
        _hotCacheTtl = hotCacheTtl;
        Main = CreateStore(options.Eviction, options.MaxBytes - options.MaxBytes / HotCacheDivisor);
        Hot = CreateStore(options.Eviction, options.MaxBytes / HotCacheDivisor);
        _settings = new Settings(options, loader);
        Latency = new GetLatency(Name);
        _fences = new KeyFences(_fetches, _loads);
        _ownerWrites = new OwnerWrites(Main, Hot, _fences, new InvalidationFanOut(node, Name, picker, timeProvider, logger), Stats, timeProvider,
            key => KeyChanged?.Invoke(Name, key));
        _writes = new ApplicationWrites(Name, picker, _ownerWrites, PeekLocal, Hot, _fences);
        _observer = new GetObserver(Name, Latency);
        _loaderCalls = new LoaderCalls(node, Name, Stats, _observer, logger);
        _fetch = (key, flight) => FetchAsync(key, flight, batches: null);
    }

    public string Name { get; }

    /// <summary>A key of this group changed here (group, key): written by this node as its owner, or its owner said so.</summary>
    public event Action<string, string>? KeyChanged;

    public GroupStats Stats { get; } = new();

    /// <summary>Get latency by outcome, for the Prometheus endpoint.</summary>
    public GetLatency Latency { get; }

    public ICacheStore Main { get; }

    public ICacheStore Hot { get; }

    /// <summary>Decides whether a value fetched from its owner is kept as a hot copy. Default: 1 in
    /// <see cref="HotCopyOneIn"/> at random, as groupcache does; the hot-key policy's seam.</summary>
    public Func<bool> KeepHotCopy { get; set; } = static () => Random.Shared.Next(HotCopyOneIn) == 0;

    public GroupOptions Options => _settings.Options;

    /// <summary>The loader in use; kept across a reconfiguration that leaves the group's options unchanged.</summary>
    public ILoader? CurrentLoader => _settings.Loader;

    /// <summary>Loader calls running now.</summary>
    public int LoadsInFlight => _loaderCalls.InFlight;

    private long Now => MonotonicClock.NowMs(_timeProvider);

    /// <summary>A Get from an application: caches, then the owner, then the loader. Timed by outcome
    /// (<see cref="SidecarInstruments.GetDuration"/>) and traced when a tracer listens.</summary>
    public ValueTask<GetResult> GetAsync(string key, CancellationToken cancellationToken) => GetAsync(key, _fetch, cancellationToken);

    /// <summary>A Get whose miss runs <paramref name="fetch"/> in the key's flight (unless it joins one in flight).</summary>
    private ValueTask<GetResult> GetAsync(string key, Func<string, Flight, Task<GetResult>> fetch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Stats.Gets);
        var started = Latency.StartHit();
        var span = SidecarTracing.Source.StartActivity("k8scache.get");
        if (TryLookup(key, Now, countHits: true, out var hit))
        {
            _observer.Finish(span, started, hit, sampledHit: true);
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        started = started == 0 ? Stopwatch.GetTimestamp() : started;
        var task = _fetches.RunAsync(key, fetch, out var joined, out var flightTrace, cancellationToken);
        if (joined)
        {
            Interlocked.Increment(ref Stats.LoadsDeduped);
        }

        if (span is not null)
        {
            // A Get that joined a fetch in flight links to the span of the Get that started it: the wait is visible.
            if (joined && flightTrace != default)
            {
                span.AddLink(new ActivityLink(flightTrace));
            }

            // This method is not async: the span must not stay current for the caller once the fetch is under way
            // (its parent is what was current before it started).
            Activity.Current = span.Parent;
        }

        return _observer.FinishWhenDoneAsync(task, span, started);
    }

    /// <summary>A Get answered from this node's main cache (keys it owns) without making the key a string or copying
    /// the value: the store hands it to <paramref name="reader"/> inside its lock (the Redis endpoint's allocation-free
    /// hit). False: not there; the caller takes <see cref="GetAsync(string, CancellationToken)"/>, which counts the Get.</summary>
    public bool TryReadOwnedHit<TReader>(ReadOnlySpan<char> key, ref TReader reader)
        where TReader : ICacheValueReader, allows ref struct
    {
        if (_inTransition)
        {
            // The main cache may hold keys another member owns now: the Get takes the path that checks.
            return false;
        }

        var started = Latency.StartHit();
        if (!Main.TryRead(key, Now, ref reader))
        {
            return false;
        }

        Interlocked.Increment(ref Stats.Gets);
        Interlocked.Increment(ref Stats.CacheHits);
        Latency.RecordHit(started, GetObserver.HitOutcome);
        return true;
    }

    /// <summary>A Get from a peer: caches, then the loader; never another peer, even if this node's ring says it
    /// does not own the key (the two views differ during a membership change).</summary>
    public ValueTask<GetResult> GetForPeerAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Stats.Gets);
        Interlocked.Increment(ref Stats.ServerRequests);
        var started = Latency.StartHit();
        var span = SidecarTracing.Source.StartActivity("k8scache.get");
        span?.SetTag(SidecarTracing.FromPeerTag, true);
        if (TryLookup(key, Now, countHits: true, out var hit, forPeer: true))
        {
            _observer.Finish(span, started, hit, sampledHit: true);
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        started = started == 0 ? Stopwatch.GetTimestamp() : started;
        var task = LoadOnceAsync(key, storeInMain: _picker.PickOwner(key) is null, cancellationToken, span);
        if (span is not null)
        {
            Activity.Current = span.Parent;
        }

        return _observer.FinishWhenDoneAsync(task, span, started);
    }

    /// <summary>Drops every hot copy and fences fetches in flight: one of the copies may have missed an
    /// invalidation (see <see cref="PeerSet.CopiesInvalidated"/>).</summary>
    public void DropHotCopies() => _fences.FenceAll(Hot.Clear);

    /// <summary>After a ring change: drops main-cache entries of keys another member owns now, so this node does not
    /// keep serving them. Writes reach the new owner, which invalidates this node too; this bounds the rest.</summary>
    public int DropUnowned() => Main.RemoveWhere(key => _picker.PickOwner(key) is not null);

    /// <summary>Applies a changed configuration: budgets, default TTL and loader. The old loader is disposed.</summary>
    public void Reconfigure(GroupOptions options, ILoader? loader)
    {
        var old = _settings;
        _settings = new Settings(options, loader);
        Main.MaxBytes = options.MaxBytes - options.MaxBytes / HotCacheDivisor;
        Hot.MaxBytes = options.MaxBytes / HotCacheDivisor;
        if (!ReferenceEquals(old.Loader, loader))
        {
            old.Loader?.Dispose();
        }
    }

    /// <summary>Reclaims expired entries (called periodically); returns how many were removed.</summary>
    public int RemoveExpired(int maxScan)
    {
        var now = Now;
        return Main.RemoveExpired(now, maxScan) + Hot.RemoveExpired(now, maxScan);
    }

    public void Dispose()
    {
        _settings.Loader?.Dispose();
        _loaderCalls.Dispose();
    }

    private static ICacheStore CreateStore(EvictionPolicy policy, long maxBytes) =>
        policy == EvictionPolicy.Lru ? new LruCacheStore(maxBytes) : new S3FifoCacheStore(maxBytes);

    /// <summary>A TTL in whole milliseconds for the store and the wire: 0 = none; anything positive is at least 1 ms.</summary>
    private static long TtlMs(TimeSpan? ttl) => ttl is { } t && t > TimeSpan.Zero ? Math.Max(1, (long)t.TotalMilliseconds) : 0;

    private bool TryLookup(string key, long now, bool countHits, out GetResult result, bool forPeer = false)
    {
        if (Main.TryGet(key, now, out var value) && MainServes(key, forPeer))
        {
            if (countHits)
            {
                Interlocked.Increment(ref Stats.CacheHits);
            }

            // A hash is read by its own commands, on its owner: a Get of one is the caller's mistake.
            result = value.Kind == ValueKind.String ? new GetResult(true, value.Value, value.RemainingMs(now), CacheSource.Hit) : throw InputException.WrongType();
            return true;
        }

        // A copy is served only while its owner vouches for it (lease) or is down (fallback), and never by the
        // owner itself (a copy kept from before a ring change).
        if (Hot.TryGet(key, now, out value) && _picker.PickOwner(key) is { } owner && owner.CopiesServable(now))
        {
            if (countHits)
            {
                Interlocked.Increment(ref Stats.HotHits);
            }

            result = new GetResult(true, value.Value, value.RemainingMs(now), CacheSource.Hot);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>A miss's fetch: from the owner (through <paramref name="batches"/> when the Get is part of a batch), or
    /// the loader when this node owns the key or its owner fails.</summary>
    private async Task<GetResult> FetchAsync(string key, Flight flight, OwnerBatches? batches)
    {
        // Second check: another flight may have filled the cache between our miss and the start of this one.
        if (TryLookup(key, Now, countHits: false, out var filled))
        {
            return filled;
        }

        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await LoadOnceAsync(key, storeInMain: true, CancellationToken.None);
        }

        if (owner.IsDown)
        {
            // The failure detector gave up on the owner: load here at once instead of paying its timeout again.
            Interlocked.Increment(ref Stats.OwnerDownLoads);
            return await LoadOnceAsync(key, storeInMain: false, CancellationToken.None);
        }

        var generation = _fences.HotGeneration;
        try
        {
            var answer = await (batches is null ? owner.GetAsync(Name, key, CancellationToken.None) : batches.GetAsync(owner, key));
            Interlocked.Increment(ref Stats.PeerLoads);
            if (!answer.Found)
            {
                return GetResult.NotFound(CacheSource.Peer);
            }

            if (!answer.NoStore && KeepHotCopy())
            {
                _fences.StoreIfCurrent(Hot, key, answer.Value, HotExpiry(answer.TtlMs), flight, generation);
            }

            return new GetResult(true, answer.Value, answer.TtlMs, CacheSource.Peer, answer.NoStore);
        }
        catch (PeerCallException e) when (e.Failure == PeerFailure.LoadFailed)
        {
            // The owner is fine but its loader failed: an answer, not a peer error. Loading here too would only
            // double the calls to an origin that is already failing.
            throw new LoaderException($"the owner {owner.Address} could not load the key: {e.Message}", e);
        }
        catch (PeerCallException e) when (e.Failure == PeerFailure.WrongType)
        {
            throw InputException.WrongType();
        }
        catch (Exception e) when (e is PeerCallException or OperationCanceledException)
        {
            Interlocked.Increment(ref Stats.PeerErrors);
            NodeLog.PeerFetchFailed(_logger, _node, Name, owner.Address, e.Message);
            NodeLog.PeerFetchFailedKey(_logger, _node, Name, key);
            return await LoadOnceAsync(key, storeInMain: false, CancellationToken.None);
        }
    }

    /// <summary>One loader call per key at a time; a caller that joins one in flight links <paramref name="span"/> (its
    /// own Get's span, if traced) to the Get that started it.</summary>
    private Task<GetResult> LoadOnceAsync(string key, bool storeInMain, CancellationToken cancellationToken, Activity? span = null)
    {
        var task = _loads.RunAsync(key, (k, flight) => LoadAsync(k, storeInMain, flight), out var joined, out var flightTrace, cancellationToken);
        if (joined)
        {
            Interlocked.Increment(ref Stats.LoadsDeduped);
            if (span is not null && flightTrace != default)
            {
                span.AddLink(new ActivityLink(flightTrace));
            }
        }

        return task;
    }

    private async Task<GetResult> LoadAsync(string key, bool storeInMain, Flight flight)
    {
        if (TryLookup(key, Now, countHits: false, out var filled))
        {
            return filled;
        }

        if (storeInMain && await AskPreviousOwnerAsync(key) is { } handed)
        {
            _fences.StoreIfCurrent(Main, key, handed.Value, handed.TtlMs > 0 ? Now + handed.TtlMs : 0, flight, hotGeneration: null);
            return new GetResult(true, handed.Value, handed.TtlMs, CacheSource.Peer);
        }

        var settings = _settings;
        if (settings.Loader is null)
        {
            return GetResult.NotFound(CacheSource.Unspecified);
        }

        var generation = _fences.HotGeneration;
        var loaded = await _loaderCalls.CallAsync(settings.Loader, key);
        if (!loaded.Found)
        {
            return GetResult.NotFound(CacheSource.Load);
        }

        var ttlMs = TtlMs(loaded.Ttl ?? settings.Options.Ttl);
        if (!loaded.Cacheable)
        {
            return new GetResult(true, loaded.Value, 0, CacheSource.Load, NoStore: true);
        }

        if (storeInMain)
        {
            _fences.StoreIfCurrent(Main, key, loaded.Value, ttlMs > 0 ? Now + ttlMs : 0, flight, hotGeneration: null);
        }
        else
        {
            _fences.StoreIfCurrent(Hot, key, loaded.Value, HotExpiry(ttlMs), flight, generation);
        }

        return new GetResult(true, loaded.Value, ttlMs, CacheSource.Load);
    }

    /// <summary>A hot copy never outlives its owner's entry, nor <see cref="SidecarOptions.HotCacheTtl"/>.</summary>
    private long HotExpiry(long ownerRemainingMs)
    {
        var cap = (long)_hotCacheTtl.TotalMilliseconds;
        return Now + (ownerRemainingMs > 0 ? Math.Min(ownerRemainingMs, cap) : cap);
    }

    /// <summary>What a reconfiguration swaps as one: read once per operation so a load sees one consistent view.</summary>
    private sealed record Settings(GroupOptions Options, ILoader? Loader);
}
