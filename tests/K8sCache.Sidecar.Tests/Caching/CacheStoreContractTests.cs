using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Tests.Caching;

/// <summary>What every eviction policy's store must do: exact byte accounting, expiry, bounded sweeps, budget changes,
/// concurrency. Each policy's own test class adds how it chooses victims.</summary>
public abstract class CacheStoreContractTests
{
    /// <summary>What an entry of a two-character key and a 10-byte value costs in this store.</summary>
    protected long OneEntry => Create(0).SizeOf("k0", 10);

    private protected abstract ICacheStore Create(long maxBytes);

    [Fact]
    public void Set_AccountsWhatSizeOfSays()
    {
        var store = Create(10_000);

        store.Set("abc", new byte[100], 0);

        Assert.Equal(store.SizeOf("abc", 100), store.Bytes);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Set_Replacing_AccountsOnlyTheNewValue()
    {
        var store = Create(10_000);
        store.Set("k", new byte[100], 0);

        store.Set("k", new byte[10], 0);

        Assert.Equal(store.SizeOf("k", 10), store.Bytes);
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
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 2 == 1).Sum(i => store.SizeOf("k" + i, 10)), store.Bytes);
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
    public void TryRead_HandsTheValueAndExpiry_AndCountsAsAHit()
    {
        var store = Create(10_000);
        store.Set("k", [1, 2, 3], expiresAtMs: 500);

        var reader = new RecordingReader();
        Assert.True(store.TryRead("k", 100, ref reader));
        Assert.Equal([1, 2, 3], reader.Value);
        Assert.Equal(500, reader.ExpiresAtMs);
        Assert.False(store.TryRead("k", 500, ref reader));
        Assert.False(store.TryRead("missing", 100, ref reader));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(16_000)]
    [InlineData(200_000)]
    public void ValuesOfEverySize_RoundTripExactly(int length)
    {
        var store = Create(1_000_000);
        var value = new byte[length];
        Random.Shared.NextBytes(value);

        store.Set("key", value, 0);

        Assert.True(store.TryGet("key", 0, out var read));
        Assert.Equal(value, read.Value);
        Assert.Equal(store.SizeOf("key", length), store.Bytes);
    }

    [Fact]
    public void KeysThatAreNotValidUnicode_StayDistinct()
    {
        var store = Create(10_000);
        store.Set("\uD800", [1], 0);
        store.Set("\uFFFD", [2], 0);
        store.Set("a\uDC00b", [3], 0);

        Assert.True(store.TryGet("\uD800", 0, out var lone));
        Assert.True(store.TryGet("\uFFFD", 0, out var replacement));
        Assert.True(store.TryGet("a\uDC00b".AsSpan(), 0, out var inside));
        Assert.Equal([1], lone.Value);
        Assert.Equal([2], replacement.Value);
        Assert.Equal([3], inside.Value);
        Assert.Equal(store.SizeOf("\uD800", 1) + store.SizeOf("\uFFFD", 1) + store.SizeOf("a\uDC00b", 1), store.Bytes);
        Assert.Equal(1, store.RemoveWhere(k => k == "\uD800"));
        Assert.False(store.TryGet("\uD800", 0, out _));
        Assert.True(store.TryGet("\uFFFD", 0, out _));
    }

    [Fact]
    public void AgainstADictionary_ManyKeysSetReplacedAndRemoved_EveryLookupAgrees()
    {
        var store = Create(long.MaxValue / 4);
        var model = new Dictionary<string, byte[]>();
        var random = new Random(7);
        for (var i = 0; i < 60_000; i++)
        {
            var key = "key-" + random.Next(20_000);
            if (random.Next(4) == 0)
            {
                Assert.Equal(model.Remove(key), store.Remove(key));
            }
            else
            {
                var value = new byte[random.Next(0, 300)];
                random.NextBytes(value);
                store.Set(key, value, 0);
                model[key] = value;
            }
        }

        Assert.Equal(model.Count, store.Count);
        for (var i = 0; i < 20_000; i++)
        {
            var key = "key-" + i;
            Assert.Equal(model.TryGetValue(key, out var expected), store.TryGet(key, 0, out var actual));
            if (expected is not null)
            {
                Assert.Equal(expected, actual.Value);
            }
        }

        Assert.Equal(model.Sum(e => store.SizeOf(e.Key, e.Value.Length)), store.Bytes);
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
                sum += store.SizeOf("k" + i, v.Value.Length);
            }
        }

        Assert.Equal(sum, store.Bytes);
    }

    private struct RecordingReader : ICacheValueReader
    {
        public byte[] Value;
        public long ExpiresAtMs;

        public void Read(scoped ReadOnlySpan<byte> value, long expiresAtMs) => (Value, ExpiresAtMs) = (value.ToArray(), expiresAtMs);
    }

    [Fact]
    public void Scan_VisitsEveryKeyHeldThroughout_Once_WhileTheStoreGrowsAndShrinks()
    {
        var store = Create(100_000_000);
        for (var i = 0; i < 2000; i++)
        {
            store.Set("kept-" + i, [1], 0, i % 3 == 0 ? ValueKind.Hash : ValueKind.String);
        }

        var seen = new List<(string Key, ValueKind Kind)>();
        var (cursor, steps) = (0UL, 0);
        do
        {
            cursor = store.Scan(cursor, 10, 0, seen);
            // Churn between steps: new keys force the index to resize, removed ones shift clusters back.
            store.Set("added-" + steps, [2], 0);
            store.Remove("added-" + (steps - 3));
            steps++;
        }
        while (cursor != ICacheStore.ScanEnd);

        var kept = seen.Where(k => k.Key.StartsWith("kept-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2000, kept.Count);
        Assert.Equal(2000, kept.Select(k => k.Key).Distinct().Count());
        Assert.All(kept, k => Assert.Equal(int.Parse(k.Key[5..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? ValueKind.Hash : ValueKind.String, k.Kind));
        Assert.InRange(steps, 50, 2000);
    }

    [Fact]
    public void Scan_SkipsExpiredKeys_AndTryReadServesStringsOnly()
    {
        var store = Create(10_000);
        store.Set("live", [1], 0);
        store.Set("expired", [1], 5);
        store.Set("hash", [1], 0, ValueKind.Hash);
        var seen = new List<(string Key, ValueKind Kind)>();

        for (var cursor = 0UL; cursor != ICacheStore.ScanEnd;)
        {
            cursor = store.Scan(cursor, 100, 10, seen);
        }

        Assert.Equal(["hash", "live"], seen.Select(k => k.Key).Order(StringComparer.Ordinal));
        Assert.True(store.TryGet("hash", 10, out var hash) && hash.Kind == ValueKind.Hash);
        var reader = new CountingReader();
        Assert.False(store.TryRead("hash", 10, ref reader));
        Assert.True(store.TryRead("live", 10, ref reader));
        Assert.Equal(1, reader.Reads);
    }

    private struct CountingReader : ICacheValueReader
    {
        public int Reads;

        public void Read(ReadOnlySpan<byte> value, long expiresAtMs) => Reads++;
    }
}
