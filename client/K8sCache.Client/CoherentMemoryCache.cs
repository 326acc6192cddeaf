using Microsoft.Extensions.Caching.Memory;

namespace K8sCache.Client;

/// <summary>
/// The application's <see cref="IMemoryCache"/> (HybridCache's first level), kept coherent with the cluster: an entry
/// of a key read from the cluster is judged when it is stored (<see cref="LocalCacheCoherence.Keeps"/>) and removed at
/// once if a change of the key may have been missed; changed keys are removed as the sidecar reports them. Everything
/// else is the wrapped <see cref="MemoryCache"/>, unchanged.
/// </summary>
internal sealed class CoherentMemoryCache : IMemoryCache
{
    private readonly MemoryCache _inner;
    private readonly LocalCacheCoherence _coherence;

    public CoherentMemoryCache(MemoryCache inner, LocalCacheCoherence coherence)
    {
        _inner = inner;
        _coherence = coherence;
        coherence.Memory = inner;
    }

    public ICacheEntry CreateEntry(object key) => new CoherentCacheEntry(_inner.CreateEntry(key), this);

    public bool TryGetValue(object key, out object? value) => _inner.TryGetValue(key, out value);

    public void Remove(object key) => _inner.Remove(key);

    public void Dispose() => _inner.Dispose();

    /// <summary>Called once the entry is stored: removes it again when the coherence rules say it may be stale.</summary>
    public void Stored(object key)
    {
        if (key is string text && !_coherence.Keeps(text))
        {
            _inner.Remove(key);
        }
    }
}
