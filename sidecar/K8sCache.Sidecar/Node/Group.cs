using System.Diagnostics;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
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
/// <para>Writes fence per key: under the key's stripe lock a write (or an owner's invalidation) detaches the key's
/// flights and changes the caches; a flight stores its result under the same lock only if it was not detached. So a
/// value read before a write never lands after it, and a Get that starts after the write never joins a flight that
/// started before it. Dropping every hot copy takes all stripes and moves <c>_hotGeneration</c>, which fences fetches
/// in flight the same way.</para>
/// </summary>
internal sealed class Group : IDisposable
{
    /// <summary>The hot cache gets 1/8 of the group's budget, the main cache the rest.</summary>
    public const int HotCacheDivisor = 8;

    /// <summary>One peer fetch in this many keeps a hot copy (groupcache's rand.Intn(10) == 0).</summary>
    public const int HotCopyOneIn = 10;

    private const int StripeCount = 64;

    // Indexes in GetLatency.Outcomes.
    private const int HitOutcome = 0;
    private const int HotHitOutcome = 1;
    private const int PeerOutcome = 2;
    private const int LoadOutcome = 3;
    private const int NotFoundOutcome = 4;
    private const int ErrorOutcome = 5;

    private readonly string _node;
    private readonly IPeerPicker _picker;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _hotCacheTtl;
    private readonly SingleFlight<GetResult> _fetches = new();
    private readonly SingleFlight<GetResult> _loads = new();
    private readonly Lock[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new Lock()).ToArray();
    private readonly SemaphoreSlim _loadSlots = new(Defaults.MaxConcurrentLoads);
    private long _hotGeneration;
    private volatile Settings _settings;

    public Group(
        string node, GroupOptions options, ILoader? loader, IPeerPicker picker, TimeSpan hotCacheTtl, TimeProvider timeProvider, ILogger logger)
    {
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
    }

    public string Name { get; }

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
    public int LoadsInFlight => Defaults.MaxConcurrentLoads - _loadSlots.CurrentCount;

    private long Now => MonotonicClock.NowMs(_timeProvider);

    /// <summary>A Get from an application: caches, then the owner, then the loader. Timed by outcome
    /// (<see cref="SidecarInstruments.GetDuration"/>) and traced when a tracer listens.</summary>
    public ValueTask<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Stats.Gets);
        var started = Latency.StartHit();
        var span = SidecarTracing.Source.StartActivity("k8scache.get");
        if (TryLookup(key, Now, countHits: true, out var hit))
        {
            Finish(span, started, hit, sampledHit: true);
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        started = started == 0 ? Stopwatch.GetTimestamp() : started;
        var task = _fetches.RunAsync(key, FetchAsync, out var joined, out var flightTrace, cancellationToken);
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

        return FinishWhenDoneAsync(task, span, started);
    }

    /// <summary>A Get answered from this node's main cache (keys it owns) without making the key a string or copying
    /// the value: the store hands it to <paramref name="reader"/> inside its lock (the Redis endpoint's allocation-free
    /// hit). False: not there; the caller takes <see cref="GetAsync"/>, which counts the Get.</summary>
    public bool TryReadOwnedHit<TReader>(ReadOnlySpan<char> key, ref TReader reader)
        where TReader : ICacheValueReader, allows ref struct
    {
        var started = Latency.StartHit();
        if (!Main.TryRead(key, Now, ref reader))
        {
            return false;
        }

        Interlocked.Increment(ref Stats.Gets);
        Interlocked.Increment(ref Stats.CacheHits);
        Latency.RecordHit(started, HitOutcome);
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
        if (TryLookup(key, Now, countHits: true, out var hit))
        {
            Finish(span, started, hit, sampledHit: true);
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        started = started == 0 ? Stopwatch.GetTimestamp() : started;
        var task = LoadOnceAsync(key, storeInMain: _picker.PickOwner(key) is null, cancellationToken, span);
        if (span is not null)
        {
            Activity.Current = span.Parent;
        }

        return FinishWhenDoneAsync(task, span, started);
    }

    /// <summary>A Set from an application: applied by the owner, which invalidates every copy. Success means the owner
    /// stored it (or, with a condition, checked it); <see cref="OwnerUnavailableException"/> means nothing was stored.</summary>
    public async Task<SetResult> SetAsync(string key, byte[] value, TimeSpan? ttl, CancellationToken cancellationToken, SetCommand command = default)
    {
        using var span = SidecarTracing.Source.StartActivity("k8scache.set")?.SetTag(SidecarTracing.GroupTag, Name);
        var ttlMs = TtlMs(ttl ?? Options.Ttl);
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await ApplySetAsync(key, value, ttlMs, command);
        }

        return await ForwardAsync(owner, key, async () =>
        {
            var response = await owner.SetAsync(Name, key, value, ttlMs, command.Condition, command.KeepTtl, command.ReturnPrevious, cancellationToken);
            return new SetResult(!response.NotApplied, response.PreviousFound, ByteStrings.ToArray(response.Previous), response.UnreachablePeers);
        });
    }

    /// <summary>Changes the lifetime of a key its owner holds (<paramref name="ttlMs"/> 0: no expiry), as the
    /// condition allows; never loads it. <see cref="WriteResult.Existed"/> says whether the lifetime changed.</summary>
    public async Task<WriteResult> ExpireAsync(string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken)
    {
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await ApplyExpireAsync(key, ttlMs, condition);
        }

        return await ForwardAsync(owner, key, async () =>
        {
            var response = await owner.ExpireAsync(Name, key, ttlMs, condition, cancellationToken);
            return new WriteResult(response.Applied, response.UnreachablePeers);
        });
    }

    /// <summary>Whether the key's owner holds it and its remaining lifetime, without loading it or moving its value.</summary>
    public async Task<GetResult> PeekAsync(string key, CancellationToken cancellationToken)
    {
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return PeekLocal(key);
        }

        if (owner.IsDown)
        {
            throw new OwnerUnavailableException(owner.Address, "it is marked down after failed calls");
        }

        try
        {
            var response = await owner.PeekAsync(Name, key, cancellationToken);
            return response.Found ? new GetResult(true, [], response.TtlMs, CacheSource.Peer) : GetResult.NotFound(CacheSource.Peer);
        }
        catch (RpcException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
    }

    /// <summary>The owner's answer to a peek: its main cache only.</summary>
    public GetResult PeekLocal(string key)
    {
        var now = Now;
        return Main.TryGet(key, now, out var value) ? new GetResult(true, [], value.RemainingMs(now), CacheSource.Hit) : GetResult.NotFound(CacheSource.Hit);
    }

    /// <summary>A Delete from an application: applied by the owner, which invalidates every copy.</summary>
    public async Task<WriteResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var span = SidecarTracing.Source.StartActivity("k8scache.delete")?.SetTag(SidecarTracing.GroupTag, Name);
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await ApplyDeleteAsync(key);
        }

        return await ForwardAsync(owner, key, async () =>
        {
            var response = await owner.DeleteAsync(Name, key, cancellationToken);
            return new WriteResult(response.Deleted, response.UnreachablePeers);
        });
    }

    /// <summary>Stores a value on this node as its owner if the command's condition holds, then tells every other node
    /// to drop its copy. Not cancellable: once stored, the write is reported as stored, whatever happens to the
    /// invalidations.</summary>
    public async Task<SetResult> ApplySetAsync(string key, byte[] value, long ttlMs, SetCommand command = default)
    {
        var (applied, previousFound, previous) = (false, false, Array.Empty<byte>());
        Fence(key, () =>
        {
            var now = Now;
            // A plain Set needs nothing of what is held: no lookup, so it does not count as a read either.
            CacheValue held = default;
            previousFound = command != default && Main.TryGet(key, now, out held);
            previous = command.ReturnPrevious && previousFound ? held.Value : [];
            if (command.Condition == SetCondition.IfAbsent && previousFound || command.Condition == SetCondition.IfPresent && !previousFound)
            {
                return;
            }

            Hot.Remove(key);
            Main.Set(key, value, command.KeepTtl && previousFound ? held.ExpiresAtMs : ttlMs > 0 ? now + ttlMs : 0);
            applied = true;
        });
        return new SetResult(applied, previousFound, previous, applied ? await InvalidateOthersAsync(key) : []);
    }

    /// <summary>Changes the lifetime of a key this node holds as its owner, then tells every other node to drop its
    /// copy (a copy must not outlive the owner's entry).</summary>
    public async Task<WriteResult> ApplyExpireAsync(string key, long ttlMs, ExpireCondition condition)
    {
        var applied = false;
        Fence(key, () =>
        {
            var now = Now;
            if (!Main.TryGet(key, now, out var held))
            {
                return;
            }

            var next = ttlMs > 0 ? now + ttlMs : 0;
            // No expiry counts as infinitely late, as Redis's GT and LT do.
            var (current, wanted) = (held.ExpiresAtMs == 0 ? long.MaxValue : held.ExpiresAtMs, next == 0 ? long.MaxValue : next);
            applied = condition switch
            {
                ExpireCondition.IfNoExpiry => held.ExpiresAtMs == 0,
                ExpireCondition.IfExpiry => held.ExpiresAtMs != 0,
                ExpireCondition.IfLater => wanted > current,
                ExpireCondition.IfEarlier => wanted < current,
                _ => true,
            };
            if (applied)
            {
                Hot.Remove(key);
                Main.Set(key, held.Value, next);
            }
        });
        return new WriteResult(applied, applied ? await InvalidateOthersAsync(key) : []);
    }

    /// <summary>Removes a key on this node as its owner, then tells every other node to drop its copy.</summary>
    public async Task<WriteResult> ApplyDeleteAsync(string key)
    {
        var existed = false;
        Fence(key, () => existed = Main.Remove(key) | Hot.Remove(key));
        return new WriteResult(existed, await InvalidateOthersAsync(key));
    }

    /// <summary>An owner says the key changed: drop it from both caches (a copy in main is possible while two rings
    /// disagree about the owner) and detach flights that may carry the old value.</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref Stats.Invalidations);
        Fence(key, () =>
        {
            Hot.Remove(key);
            Main.Remove(key);
        });
    }

    /// <summary>Drops every hot copy and fences fetches in flight: one of the copies may have missed an
    /// invalidation (see <see cref="PeerSet.CopiesInvalidated"/>).</summary>
    public void DropHotCopies()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Enter();
        }

        try
        {
            Interlocked.Increment(ref _hotGeneration);
            Hot.Clear();
        }
        finally
        {
            foreach (var stripe in _stripes)
            {
                stripe.Exit();
            }
        }
    }

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
        _loadSlots.Dispose();
    }

    private static ICacheStore CreateStore(EvictionPolicy policy, long maxBytes) =>
        policy == EvictionPolicy.Lru ? new LruCacheStore(maxBytes) : new S3FifoCacheStore(maxBytes);

    /// <summary>A TTL in whole milliseconds for the store and the wire: 0 = none; anything positive is at least 1 ms.</summary>
    private static long TtlMs(TimeSpan? ttl) => ttl is { } t && t > TimeSpan.Zero ? Math.Max(1, (long)t.TotalMilliseconds) : 0;

    private bool TryLookup(string key, long now, bool countHits, out GetResult result)
    {
        if (Main.TryGet(key, now, out var value))
        {
            if (countHits)
            {
                Interlocked.Increment(ref Stats.CacheHits);
            }

            result = new GetResult(true, value.Value, value.RemainingMs(now), CacheSource.Hit);
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

    private async Task<GetResult> FetchAsync(string key, Flight flight)
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

        var generation = Volatile.Read(ref _hotGeneration);
        try
        {
            var response = await owner.GetAsync(Name, key, CancellationToken.None);
            Interlocked.Increment(ref Stats.PeerLoads);
            if (!response.Found)
            {
                return GetResult.NotFound(CacheSource.Peer);
            }

            var value = ByteStrings.ToArray(response.Value);
            if (!response.NoStore && KeepHotCopy())
            {
                StoreIfCurrent(Hot, key, value, HotExpiry(response.TtlMs), flight, generation);
            }

            return new GetResult(true, value, response.TtlMs, CacheSource.Peer, response.NoStore);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // The owner is fine but its loader failed: an answer, not a peer error. Loading here too would only
            // double the calls to an origin that is already failing.
            throw new LoaderException($"the owner {owner.Address} could not load the key: {e.Detail}", e);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
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

    private void RecordLoad(long started, string outcome) => SidecarInstruments.LoadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("group", Name), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The outcome's index in <see cref="GetLatency.Outcomes"/>.</summary>
    private static int OutcomeOf(GetResult result) => !result.Found ? NotFoundOutcome : result.Source switch
    {
        CacheSource.Hit => HitOutcome,
        CacheSource.Hot => HotHitOutcome,
        CacheSource.Peer => PeerOutcome,
        _ => LoadOutcome,
    };

    /// <summary>Records a Get's duration by outcome (a hit only when sampled: <paramref name="started"/> is 0 otherwise)
    /// and ends its span, if traced, with its group and outcome.</summary>
    private void Finish(Activity? span, long started, GetResult result, bool sampledHit = false)
    {
        var outcome = OutcomeOf(result);
        if (sampledHit)
        {
            Latency.RecordHit(started, outcome);
        }
        else
        {
            Latency.Record(started, outcome);
        }

        if (span is not null)
        {
            span.SetTag(SidecarTracing.GroupTag, Name);
            span.SetTag(SidecarTracing.OutcomeTag, GetLatency.Outcomes[outcome]);
            span.Dispose();
        }
    }

    private async ValueTask<GetResult> FinishWhenDoneAsync(Task<GetResult> task, Activity? span, long started)
    {
        try
        {
            var result = await task;
            Finish(span, started, result);
            return result;
        }
        catch (Exception e)
        {
            Latency.Record(started, ErrorOutcome);
            if (span is not null)
            {
                span.SetTag(SidecarTracing.GroupTag, Name);
                span.SetTag(SidecarTracing.OutcomeTag, GetLatency.Outcomes[ErrorOutcome]);
                span.SetStatus(ActivityStatusCode.Error, e.Message);
                span.Dispose();
            }

            throw;
        }
    }

    private async Task<GetResult> LoadAsync(string key, bool storeInMain, Flight flight)
    {
        if (TryLookup(key, Now, countHits: false, out var filled))
        {
            return filled;
        }

        var settings = _settings;
        if (settings.Loader is null)
        {
            return GetResult.NotFound(CacheSource.Unspecified);
        }

        var generation = Volatile.Read(ref _hotGeneration);
        LoadResult loaded;
        await _loadSlots.WaitAsync(CancellationToken.None);
        using var span = SidecarTracing.Source.StartActivity("k8scache.load", ActivityKind.Client)?
            .SetTag(SidecarTracing.GroupTag, Name).SetTag(SidecarTracing.LoaderTag, settings.Loader.Kind);
        var started = Stopwatch.GetTimestamp();
        try
        {
            Interlocked.Increment(ref Stats.LocalLoads);
            loaded = await settings.Loader.LoadAsync(Name, key, CancellationToken.None);
            var outcome = loaded.Found ? "found" : "not_found";
            span?.SetTag(SidecarTracing.OutcomeTag, outcome);
            RecordLoad(started, outcome);
            NodeLog.Loaded(_logger, _node, Name, key, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, loaded.Found);
        }
        catch (LoaderException e)
        {
            span?.SetTag(SidecarTracing.OutcomeTag, "error").SetStatus(ActivityStatusCode.Error, e.Message);
            RecordLoad(started, "error");
            Interlocked.Increment(ref Stats.LocalLoadErrors);
            NodeLog.LoadFailed(_logger, _node, Name, e.Message);
            NodeLog.LoadFailedKey(_logger, _node, Name, key);
            throw;
        }
        finally
        {
            _loadSlots.Release();
        }

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
            StoreIfCurrent(Main, key, loaded.Value, ttlMs > 0 ? Now + ttlMs : 0, flight, hotGeneration: null);
        }
        else
        {
            StoreIfCurrent(Hot, key, loaded.Value, HotExpiry(ttlMs), flight, generation);
        }

        return new GetResult(true, loaded.Value, ttlMs, CacheSource.Load);
    }

    /// <summary>Forwards a write to its owner. A down owner is refused at once; a failed call means the owner did not
    /// answer, and the write is reported as not applied. Local copies are dropped before and after.</summary>
    private async Task<T> ForwardAsync<T>(IPeer owner, string key, Func<Task<T>> call)
    {
        if (owner.IsDown)
        {
            throw new OwnerUnavailableException(owner.Address, "it is marked down after failed calls");
        }

        Fence(key, () => Hot.Remove(key));
        try
        {
            return await call();
        }
        catch (RpcException e) when (RefusalKind(e.StatusCode) is { } kind)
        {
            // The owner answered and refused the write itself (its groups or limits differ from this node's while a
            // configuration change rolls out): nothing was written, and the reason is the owner's.
            throw new InputException(kind, $"the owner of the key, {owner.Address}, refused the write: {e.Detail}");
        }
        catch (RpcException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
        finally
        {
            // Again after the call: a fetch that was in flight may have read the old value meanwhile.
            Fence(key, () => Hot.Remove(key));
        }
    }

    private static InputErrorKind? RefusalKind(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument => InputErrorKind.InvalidArgument,
        StatusCode.NotFound => InputErrorKind.UnknownGroup,
        StatusCode.ResourceExhausted => InputErrorKind.TooLarge,
        _ => null,
    };

    /// <summary>A hot copy never outlives its owner's entry, nor <see cref="SidecarOptions.HotCacheTtl"/>.</summary>
    private long HotExpiry(long ownerRemainingMs)
    {
        var cap = (long)_hotCacheTtl.TotalMilliseconds;
        return Now + (ownerRemainingMs > 0 ? Math.Min(ownerRemainingMs, cap) : cap);
    }

    private Lock StripeOf(string key) => _stripes[(uint)key.GetHashCode() % StripeCount];

    /// <summary>A write's change to the caches, exclusive with every flight's store for the same key.</summary>
    private void Fence(string key, Action change)
    {
        lock (StripeOf(key))
        {
            _fetches.Detach(key);
            _loads.Detach(key);
            change();
        }
    }

    private void StoreIfCurrent(ICacheStore store, string key, byte[] value, long expiresAtMs, Flight flight, long? hotGeneration)
    {
        lock (StripeOf(key))
        {
            if (!flight.IsDetached && (hotGeneration is null || hotGeneration == Volatile.Read(ref _hotGeneration)))
            {
                store.Set(key, value, expiresAtMs);
            }
        }
    }

    /// <summary>Tells every other member to drop its copy, all at once. A member that does not acknowledge within the
    /// invalidation budget is recorded as having missed it, and the write waits until that member's lease on hot
    /// copies has ended (at most the lease length), so it cannot serve the old copy after the write returns. The
    /// members that missed it are reported; the write itself stands.</summary>
    private async Task<IReadOnlyList<string>> InvalidateOthersAsync(string key)
    {
        var others = _picker.Others;
        if (others.Count == 0)
        {
            return [];
        }

        var calls = new Task<string?>[others.Count];
        for (var i = 0; i < others.Count; i++)
        {
            calls[i] = InvalidateOneAsync(others[i], key);
        }

        var missed = await Task.WhenAll(calls);
        return missed.Where(a => a is not null).Select(a => a!).ToArray();
    }

    private async Task<string?> InvalidateOneAsync(IPeer peer, string key)
    {
        if (!peer.IsDown)
        {
            try
            {
                await peer.InvalidateAsync(Name, key, Defaults.InvalidationBudget, CancellationToken.None);
                return null;
            }
            catch (RpcException e)
            {
                NodeLog.InvalidateFailed(_logger, _node, Name, peer.Address, e.Message);
            }
        }

        var leaseEnds = peer.RecordMissedInvalidation();
        var wait = leaseEnds == long.MinValue ? 0 : leaseEnds - Now;
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), _timeProvider);
        }

        return peer.Address;
    }

    /// <summary>What a reconfiguration swaps as one: read once per operation so a load sees one consistent view.</summary>
    private sealed record Settings(GroupOptions Options, ILoader? Loader);
}
