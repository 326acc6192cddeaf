using System.Collections.Concurrent;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Coalescing;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// What keeps a value read before a write from landing after it (docs/design.md §4). Under a key's stripe lock a write
/// detaches the key's flights (fetches and loads) and changes the caches; a flight stores its result under the same lock
/// only if it was not detached. So a Get that starts after the write never joins a flight that started before it.
/// Dropping every hot copy takes all stripes and moves the hot generation, which fences hot-copy stores in flight the
/// same way. What must stay true: every change a write makes to a cache happens inside <see cref="Fence"/> (or while
/// the scope <see cref="Enter"/> returns is held), and every store a flight makes goes through
/// <see cref="StoreIfCurrent"/>. While entries are handed over to this node, every fenced key is also noted, so a
/// handed entry never lands on a key that changed here since the hand-over began (<see cref="StoreHandedOver"/>).
/// </summary>
internal sealed class KeyFences(SingleFlight<GetResult> fetches, SingleFlight<GetResult> loads)
{
    private const int StripeCount = 64;

    private readonly Lock[] _stripes = Enumerable.Range(0, StripeCount).Select(_ => new Lock()).ToArray();
    private readonly Lock _trackingLock = new();
    private long _hotGeneration;
    private int _trackers;
    private volatile ConcurrentDictionary<string, byte>? _changed;

    /// <summary>Read before a fetch or load begins; a hot copy it brings is stored only if this has not moved.</summary>
    public long HotGeneration => Volatile.Read(ref _hotGeneration);

    /// <summary>A write's change to the caches, exclusive with every flight's store for the same key.</summary>
    public void Fence(string key, Action change)
    {
        using (Enter(key))
        {
            change();
        }
    }

    /// <summary><see cref="Fence"/> without a delegate, for the writes on every request's path: the change is made
    /// while the returned scope is held, and it is disposed right after (no await in between).</summary>
    public Lock.Scope Enter(string key)
    {
        var scope = StripeOf(key).EnterScope();
        try
        {
            fetches.Detach(key);
            loads.Detach(key);
            _changed?.TryAdd(key, 0);
            return scope;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    /// <summary><see cref="Fence"/> for several keys at once (an atomic program): their stripes are taken in index
    /// order, so two programs never wait on each other.</summary>
    public void FenceMany(IReadOnlyCollection<string> keys, Action change)
    {
        var stripes = keys.Select(StripeIndex).Distinct().Order().ToArray();
        foreach (var stripe in stripes)
        {
            _stripes[stripe].Enter();
        }

        try
        {
            var changed = _changed;
            foreach (var key in keys)
            {
                fetches.Detach(key);
                loads.Detach(key);
                changed?.TryAdd(key, 0);
            }

            change();
        }
        finally
        {
            foreach (var stripe in stripes)
            {
                _stripes[stripe].Exit();
            }
        }
    }

    /// <summary>Runs <paramref name="change"/> with every key fenced and the hot generation moved: no hot copy fetched
    /// or loaded before it can be stored after it.</summary>
    public void FenceAll(Action change)
    {
        foreach (var stripe in _stripes)
        {
            stripe.Enter();
        }

        try
        {
            Interlocked.Increment(ref _hotGeneration);
            change();
        }
        finally
        {
            foreach (var stripe in _stripes)
            {
                stripe.Exit();
            }
        }
    }

    /// <summary>Stores a flight's result unless a write detached the flight meanwhile (or, for a hot copy, every copy was
    /// dropped since <paramref name="hotGeneration"/> was read).</summary>
    public void StoreIfCurrent(ICacheStore store, string key, byte[] value, long expiresAtMs, Flight flight, long? hotGeneration)
    {
        lock (StripeOf(key))
        {
            if (!flight.IsDetached && (hotGeneration is null || hotGeneration == Volatile.Read(ref _hotGeneration)))
            {
                store.Set(key, value, expiresAtMs);
            }
        }
    }

    /// <summary>Starts noting fenced keys, until as many <see cref="EndTracking"/> calls (one per hand-over received).</summary>
    public void BeginTracking()
    {
        lock (_trackingLock)
        {
            if (_trackers++ == 0)
            {
                _changed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            }
        }
    }

    public void EndTracking()
    {
        lock (_trackingLock)
        {
            if (--_trackers == 0)
            {
                _changed = null;
            }
        }
    }

    /// <summary>Stores a handed entry if the store holds nothing for the key and the key was not fenced since tracking
    /// began; false otherwise. Only while tracking: a handed entry is never judged without it.</summary>
    public bool StoreHandedOver(ICacheStore store, string key, byte[] value, long expiresAtMs, ValueKind kind, long nowMs)
    {
        lock (StripeOf(key))
        {
            if (_changed is not { } changed || changed.ContainsKey(key) || store.TryGet(key, nowMs, out _))
            {
                return false;
            }

            store.Set(key, value, expiresAtMs, kind);
            return true;
        }
    }

    private Lock StripeOf(string key) => _stripes[StripeIndex(key)];

    private static int StripeIndex(string key) => (int)((uint)key.GetHashCode() % StripeCount);
}
