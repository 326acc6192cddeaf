using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Tests.Caching;

/// <summary>What every eviction policy's store must do: exact byte accounting, expiry, bounded sweeps, budget changes,
/// concurrency. Each policy's own test class adds how it chooses victims.</summary>
public abstract class CacheStoreContractTests
{
    protected static readonly long OneEntry = EntryAccounting.SizeOf("k0", 10);

    private protected abstract ICacheStore Create(long maxBytes);

    [Fact]
    public void Set_AccountsKeyValueAndOverhead()
    {
        var store = Create(10_000);

        store.Set("abc", new byte[100], 0);

        Assert.Equal(EntryAccounting.EntryOverhead + 3 * 2 + 100, store.Bytes);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Set_Replacing_AccountsOnlyTheNewValue()
    {
        var store = Create(10_000);
        store.Set("k", new byte[100], 0);

        store.Set("k", new byte[10], 0);

        Assert.Equal(EntryAccounting.SizeOf("k", 10), store.Bytes);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Set_EntryLargerThanBudget_IsNotStored_AndDropsTheOldValue()
    {
        var store = Create(1000);
        store.Set("k", new byte[10], 0);

        Assert.False(store.Set("k", new byte[2000], 0));

        Assert.False(store.TryGet("k", 0, out _));
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void TryGet_ExpiredEntry_IsNeverReturned_AndItsBytesAreReclaimed()
    {
        var store = Create(10_000);
        store.Set("k", new byte[10], expiresAtMs: 1000);

        Assert.True(store.TryGet("k", 999, out var value));
        Assert.Equal(1000, value.ExpiresAtMs);
        Assert.False(store.TryGet("k", 1000, out _));
        Assert.Equal(0, store.Bytes);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void RemoveExpired_ReclaimsUnreadExpiredEntries_InBoundedSlices()
    {
        var store = Create(1_000_000);
        for (var i = 0; i < 100; i++)
        {
            store.Set("k" + i, new byte[10], expiresAtMs: i % 2 == 0 ? 500 : 0);
        }

        var removed = 0;
        for (var round = 0; round < 10; round++)
        {
            removed += store.RemoveExpired(nowMs: 600, maxScan: 15);
        }

        Assert.Equal(50, removed);
        Assert.Equal(50, store.Count);
        Assert.Equal(50 * EntryAccounting.SizeOf("k10", 10) - 5 * 2, store.Bytes);
    }

    [Fact]
    public void MaxBytes_Lowered_EvictsAtOnce()
    {
        var store = Create(10 * OneEntry);
        for (var i = 0; i < 10; i++)
        {
            store.Set("k" + i, new byte[10], 0);
        }

        store.MaxBytes = 4 * OneEntry;

        Assert.Equal(4, store.Count);
        Assert.True(store.TryGet("k9", 0, out _));
        Assert.False(store.TryGet("k0", 0, out _));
    }

    [Fact]
    public void Remove_And_Clear_ReleaseBytes()
    {
        var store = Create(10_000);
        store.Set("a", new byte[10], 0);
        store.Set("b", new byte[10], 0);

        Assert.True(store.Remove("a"));
        Assert.False(store.Remove("a"));
        store.Clear();

        Assert.Equal(0, store.Bytes);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task ConcurrentUse_KeepsAccountingExact()
    {
        var store = Create(50 * OneEntry);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = "k" + (i * 7 + t) % 100;
                if (i % 3 == 0)
                {
                    store.Remove(key);
                }
                else
                {
                    store.Set(key, new byte[10], 0);
                    store.TryGet(key, 0, out _);
                }
            }
        })));

        Assert.True(store.Bytes <= store.MaxBytes);
        var sum = 0L;
        for (var i = 0; i < 100; i++)
        {
            if (store.TryGet("k" + i, 0, out var v))
            {
                sum += EntryAccounting.SizeOf("k" + i, v.Value.Length);
            }
        }

        Assert.Equal(sum, store.Bytes);
    }
}
