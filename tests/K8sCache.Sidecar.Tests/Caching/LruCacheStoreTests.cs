using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Tests.Caching;

public sealed class LruCacheStoreTests : CacheStoreContractTests
{
    [Fact]
    public void Set_OverBudget_EvictsLeastRecentlyUsedFirst()
    {
        var store = new LruCacheStore(3 * OneEntry);
        store.Set("k0", new byte[10], 0);
        store.Set("k1", new byte[10], 0);
        store.Set("k2", new byte[10], 0);
        Assert.True(store.TryGet("k0", 0, out _)); // k0 is now the most recent; k1 the least.

        store.Set("k3", new byte[10], 0);

        Assert.False(store.TryGet("k1", 0, out _));
        Assert.True(store.TryGet("k0", 0, out _));
        Assert.True(store.TryGet("k2", 0, out _));
        Assert.True(store.TryGet("k3", 0, out _));
        Assert.Equal(1, store.Evictions);
        Assert.True(store.Bytes <= store.MaxBytes);
    }

    [Fact]
    public void AnEntryCostsItsUtf16KeyValueAndTheObjectsAroundThem()
    {
        var store = new LruCacheStore(10_000);

        store.Set("abc", new byte[100], 0);

        Assert.Equal(EntryAccounting.EntryOverhead + 3 * 2 + 100, store.Bytes);
    }

    private protected override ICacheStore Create(long maxBytes) => new LruCacheStore(maxBytes);
}
