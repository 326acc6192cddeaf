using System.Diagnostics;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Coalescing;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// One named group on one node: the read path of docs/design.md §2 and the writes around it.
/// <para>Two caches: <c>main</c> holds keys this node owns; <c>hot</c> holds short-lived copies of other owners' keys
/// (1 in 10 peer fetches, as groupcache does, and values loaded locally while their owner was unreachable).</para>
/// <para>Two single-flight groups keep the cluster free of loops and deadlocks: <c>_fetches</c> covers a local miss
/// (peer fetch or load); <c>_loads</c> covers loader calls only. A request from a peer joins <c>_loads</c> and never
/// fetches from another peer, so no chain of nodes can wait on itself.</para>
/// <para><c>_epoch</c> increases on every Set, Delete and Invalidate; a load or fetch stores its result only if the epoch
/// did not move while it ran, so a value read before a write never lands after it.</para>
/// </summary>
internal sealed class Group : IDisposable
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
    private long _epoch;
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
        Main = new LruCacheStore(options.MaxBytes - options.MaxBytes / HotCacheDivisor);
        Hot = new LruCacheStore(options.MaxBytes / HotCacheDivisor);
        _settings = new Settings(options, loader);
    }

    public string Name { get; }

    public GroupStats Stats { get; } = new();

    public ICacheStore Main { get; }

    public ICacheStore Hot { get; }

    /// <summary>Decides whether a value fetched from its owner is kept as a hot copy. Default: 1 in
    /// <see cref="HotCopyOneIn"/> at random, as groupcache does; the hot-key policy's seam.</summary>
    public Func<bool> KeepHotCopy { get; set; } = static () => Random.Shared.Next(HotCopyOneIn) == 0;

    public GroupOptions Options => _settings.Options;

    /// <summary>The loader in use; kept across a reconfiguration that leaves the group's options unchanged.</summary>
    public ILoader? CurrentLoader => _settings.Loader;

    private long Now => MonotonicClock.NowMs(_timeProvider);

    /// <summary>A Get from an application: caches, then the owner, then the loader.</summary>
    public ValueTask<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Stats.Gets);
        if (TryLookup(key, Now, countHits: true, out var hit))
        {
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        var task = _fetches.RunAsync(key, FetchAsync, out var joined, cancellationToken);
        if (joined)
        {
            Interlocked.Increment(ref Stats.LoadsDeduped);
        }

        return new ValueTask<GetResult>(task);
    }

    /// <summary>A Get from a peer: caches, then the loader; never another peer, even if this node's ring says it
    /// does not own the key (the two views differ during a membership change).</summary>
    public ValueTask<GetResult> GetForPeerAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Stats.Gets);
        Interlocked.Increment(ref Stats.ServerRequests);
        if (TryLookup(key, Now, countHits: true, out var hit))
        {
            return ValueTask.FromResult(hit);
        }

        Interlocked.Increment(ref Stats.Misses);
        return new ValueTask<GetResult>(LoadOnceAsync(key, storeInMain: _picker.PickOwner(key) is null, cancellationToken));
    }

    /// <summary>A Set from an application: applied by the owner, which invalidates every hot copy.</summary>
    public async Task<WriteResult> SetAsync(string key, byte[] value, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        var ttlMs = (long)(ttl ?? Options.Ttl ?? TimeSpan.Zero).TotalMilliseconds;
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await ApplySetAsync(key, value, ttlMs, cancellationToken);
        }

        DropLocalCopies(key);
        try
        {
            var response = await owner.SetAsync(Name, key, value, ttlMs, cancellationToken);
            return new WriteResult(false, response.UnreachablePeers);
        }
        catch (RpcException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
        finally
        {
            // Again after the call: a fetch that was in flight may have stored the old value meanwhile.
            DropLocalCopies(key);
        }
    }

    /// <summary>A Delete from an application: applied by the owner, which invalidates every hot copy.</summary>
    public async Task<WriteResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var owner = _picker.PickOwner(key);
        if (owner is null)
        {
            return await ApplyDeleteAsync(key, cancellationToken);
        }

        DropLocalCopies(key);
        try
        {
            var response = await owner.DeleteAsync(Name, key, cancellationToken);
            return new WriteResult(response.Deleted, response.UnreachablePeers);
        }
        catch (RpcException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
        finally
        {
            DropLocalCopies(key);
        }
    }

    /// <summary>Stores a value on this node as its owner and tells every other node to drop its copy.</summary>
    public async Task<WriteResult> ApplySetAsync(string key, byte[] value, long ttlMs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _epoch);
        Hot.Remove(key);
        Main.Set(key, value, ttlMs > 0 ? Now + ttlMs : 0);
        return new WriteResult(false, await BroadcastInvalidateAsync(key, cancellationToken));
    }

    /// <summary>Removes a key on this node as its owner and tells every other node to drop its copy.</summary>
    public async Task<WriteResult> ApplyDeleteAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _epoch);
        var existed = Main.Remove(key) | Hot.Remove(key);
        return new WriteResult(existed, await BroadcastInvalidateAsync(key, cancellationToken));
    }

    /// <summary>An owner says the key changed: drop it from both caches (a copy in main is possible while two rings
    /// disagree about the owner).</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref Stats.Invalidations);
        DropLocalCopies(key);
        Main.Remove(key);
    }

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

    public void Dispose() => _settings.Loader?.Dispose();

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

        if (Hot.TryGet(key, now, out value))
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

    private async Task<GetResult> FetchAsync(string key)
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

        var epoch = Volatile.Read(ref _epoch);
        try
        {
            var response = await owner.GetAsync(Name, key, CancellationToken.None);
            Interlocked.Increment(ref Stats.PeerLoads);
            if (!response.Found)
            {
                return GetResult.NotFound(CacheSource.Peer);
            }

            var value = ByteStrings.ToArray(response.Value);
            if (KeepHotCopy())
            {
                StoreIfUnchanged(Hot, key, value, HotExpiry(response.TtlMs), epoch);
            }

            return new GetResult(true, value, response.TtlMs, CacheSource.Peer);
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
            NodeLog.PeerFetchFailed(_logger, _node, Name, key, owner.Address, e.Message);
            return await LoadOnceAsync(key, storeInMain: false, CancellationToken.None);
        }
    }

    private Task<GetResult> LoadOnceAsync(string key, bool storeInMain, CancellationToken cancellationToken)
    {
        var task = _loads.RunAsync(key, k => LoadAsync(k, storeInMain), out var joined, cancellationToken);
        if (joined)
        {
            Interlocked.Increment(ref Stats.LoadsDeduped);
        }

        return task;
    }

    private async Task<GetResult> LoadAsync(string key, bool storeInMain)
    {
        var now = Now;
        if (TryLookup(key, now, countHits: false, out var filled))
        {
            return filled;
        }

        var settings = _settings;
        if (settings.Loader is null)
        {
            return GetResult.NotFound(CacheSource.Unspecified);
        }

        var epoch = Volatile.Read(ref _epoch);
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref Stats.LocalLoads);
        LoadResult loaded;
        try
        {
            loaded = await settings.Loader.LoadAsync(Name, key, CancellationToken.None);
        }
        catch (LoaderException e)
        {
            Interlocked.Increment(ref Stats.LocalLoadErrors);
            NodeLog.LoadFailed(_logger, _node, Name, key, e.Message);
            throw;
        }

        NodeLog.Loaded(_logger, _node, Name, key, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, loaded.Found);
        if (!loaded.Found)
        {
            return GetResult.NotFound(CacheSource.Load);
        }

        var ttl = loaded.Ttl ?? settings.Options.Ttl;
        var ttlMs = ttl is { } t && t > TimeSpan.Zero ? Math.Max(1, (long)t.TotalMilliseconds) : 0;
        if (loaded.Cacheable)
        {
            if (storeInMain)
            {
                StoreIfUnchanged(Main, key, loaded.Value, ttlMs > 0 ? Now + ttlMs : 0, epoch);
            }
            else
            {
                StoreIfUnchanged(Hot, key, loaded.Value, HotExpiry(ttlMs), epoch);
            }
        }

        return new GetResult(true, loaded.Value, loaded.Cacheable ? ttlMs : 0, CacheSource.Load);
    }

    /// <summary>A hot copy never outlives its owner's entry, nor <see cref="SidecarOptions.HotCacheTtl"/>.</summary>
    private long HotExpiry(long ownerRemainingMs)
    {
        var cap = (long)_hotCacheTtl.TotalMilliseconds;
        return Now + (ownerRemainingMs > 0 ? Math.Min(ownerRemainingMs, cap) : cap);
    }

    private void StoreIfUnchanged(ICacheStore store, string key, byte[] value, long expiresAtMs, long epoch)
    {
        if (Volatile.Read(ref _epoch) == epoch)
        {
            store.Set(key, value, expiresAtMs);
        }
    }

    private void DropLocalCopies(string key)
    {
        Interlocked.Increment(ref _epoch);
        Hot.Remove(key);
    }

    private async Task<IReadOnlyList<string>> BroadcastInvalidateAsync(string key, CancellationToken cancellationToken)
    {
        var others = _picker.Others;
        if (others.Count == 0)
        {
            return [];
        }

        var calls = new Task<string?>[others.Count];
        for (var i = 0; i < others.Count; i++)
        {
            calls[i] = InvalidateOneAsync(others[i], key, cancellationToken);
        }

        var failed = await Task.WhenAll(calls);
        return failed.Where(a => a is not null).Select(a => a!).ToArray();
    }

    private async Task<string?> InvalidateOneAsync(IPeer peer, string key, CancellationToken cancellationToken)
    {
        try
        {
            await peer.InvalidateAsync(Name, key, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            NodeLog.InvalidateFailed(_logger, _node, Name, key, peer.Address, e.Message);
            return peer.Address;
        }
    }

    /// <summary>What a reconfiguration swaps as one: read once per operation so a load sees one consistent view.</summary>
    private sealed record Settings(GroupOptions Options, ILoader? Loader);
}
