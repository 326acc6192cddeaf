using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace K8sCache.Client;

/// <summary>An entry on its way into a <see cref="CoherentMemoryCache"/>: the wrapped cache's own entry, and a look at
/// the coherence rules once it is stored (stored by <see cref="Dispose"/>, as <see cref="ICacheEntry"/> defines).</summary>
internal sealed class CoherentCacheEntry(ICacheEntry inner, CoherentMemoryCache cache) : ICacheEntry
{
    public object Key => inner.Key;

    public object? Value
    {
        get => inner.Value;
        set => inner.Value = value;
    }

    public DateTimeOffset? AbsoluteExpiration
    {
        get => inner.AbsoluteExpiration;
        set => inner.AbsoluteExpiration = value;
    }

    public TimeSpan? AbsoluteExpirationRelativeToNow
    {
        get => inner.AbsoluteExpirationRelativeToNow;
        set => inner.AbsoluteExpirationRelativeToNow = value;
    }

    public TimeSpan? SlidingExpiration
    {
        get => inner.SlidingExpiration;
        set => inner.SlidingExpiration = value;
    }

    public IList<IChangeToken> ExpirationTokens => inner.ExpirationTokens;

    public IList<PostEvictionCallbackRegistration> PostEvictionCallbacks => inner.PostEvictionCallbacks;

    public CacheItemPriority Priority
    {
        get => inner.Priority;
        set => inner.Priority = value;
    }

    public long? Size
    {
        get => inner.Size;
        set => inner.Size = value;
    }

    public void Dispose()
    {
        inner.Dispose();
        cache.Stored(inner.Key);
    }
}
