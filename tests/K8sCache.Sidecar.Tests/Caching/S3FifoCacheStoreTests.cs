using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Tests.Caching;

public sealed class S3FifoCacheStoreTests : CacheStoreContractTests
{
    [Fact]
    public void AScanOfOneTimeKeys_LeavesThroughTheSmallQueue_AndTheWorkingSetStays()
    {
        var store = new S3FifoCacheStore(20 * OneEntry);
        for (var i = 0; i < 10; i++)
        {
            store.Set($"w{i}", new byte[10], 0);
            store.TryGet($"w{i}", 0, out _);
        }

        // 100 keys asked once each, as a scan does: they pass through the small queue and push the hit keys to main.
        for (var i = 0; i < 100; i++)
        {
            store.Set($"s{i:D2}", new byte[10], 0);
        }

        Assert.All(Enumerable.Range(0, 10), i => Assert.True(store.TryGet($"w{i}", 0, out _), $"w{i} was evicted by the scan"));
        Assert.True(store.Bytes <= store.MaxBytes);
    }

    [Fact]
    public void AKeyThatComesBackSoonAfterEviction_EntersTheMainQueue()
    {
        var store = new S3FifoCacheStore(20 * OneEntry);
        store.Set("back", new byte[10], 0);
        for (var i = 0; i < 30; i++)
        {
            store.Set($"x{i:D2}", new byte[10], 0);
        }

        Assert.False(store.TryGet("back", 0, out _));
        store.Set("back", new byte[10], 0);
        // The ghost remembered it: it went to the main queue, so one more pass of one-time keys does not evict it.
        for (var i = 0; i < 30; i++)
        {
            store.Set($"y{i:D2}", new byte[10], 0);
        }

        Assert.True(store.TryGet("back", 0, out _));
    }

    [Fact]
    public void InTheMainQueue_AHitEntrySurvivesAPass_AndAnUnhitOneGoes()
    {
        var store = new S3FifoCacheStore(10 * OneEntry);
        for (var i = 0; i < 10; i++)
        {
            store.Set($"m{i}", new byte[10], 0);
            store.TryGet($"m{i}", 0, out _);
        }

        // Pushed into main with cleared frequencies by a few new keys; then m9 alone is hit again.
        for (var i = 0; i < 3; i++)
        {
            store.Set($"n{i}", new byte[10], 0);
        }

        store.TryGet("m9", 0, out _);
        for (var i = 0; i < 30; i++)
        {
            store.Set($"p{i:D2}", new byte[10], 0);
            store.TryGet($"p{i:D2}", 0, out _);
        }

        Assert.True(store.Count <= 10);
        Assert.True(store.Bytes <= store.MaxBytes);
        Assert.Equal(store.Count, Enumerable.Range(0, 10).Count(i => store.TryGet($"m{i}", 0, out _)) + Enumerable.Range(0, 3).Count(i => store.TryGet($"n{i}", 0, out _)) + Enumerable.Range(0, 30).Count(i => store.TryGet($"p{i:D2}", 0, out _)));
    }

    [Fact]
    public void AnEntryCostsItsChunk_HeaderUtf8KeyAndValueRoundedToEightBytes_PlusItsIndexShare()
    {
        var store = new S3FifoCacheStore(10_000);

        store.Set("abc", new byte[100], 0);
        store.Set("0123456789abcdef", new byte[100], 0);

        // 20 + 3 + 100 = 123 -> 128; 20 + 16 + 100 = 136 exactly (the memory benchmark's entry).
        Assert.Equal(128 + 8 + 136 + 8, store.Bytes);
    }

    [Fact]
    public void AValueTooLargeForAChunk_IsKeptAsItsOwnArray_AndReturnedWithoutACopy()
    {
        var store = new S3FifoCacheStore(1_000_000);
        var value = new byte[SlabArena.MaxChunkBytes];

        store.Set("big", value, 0);

        Assert.True(store.TryGet("big", 0, out var read));
        Assert.Same(value, read.Value);
        Assert.Equal(SlabArena.ClassSize(SlabArena.ClassOf(SlabChunk.HeaderBytes + 3)) + 8 + value.Length + S3FifoCacheStore.LargeValueOverhead, store.Bytes);
    }

    [Fact]
    public void WhenValueSizesShift_PagesMoveToTheNewSize_AndMemoryStaysNearTheBudget()
    {
        const long budget = 1 << 20;
        var store = new S3FifoCacheStore(budget);
        for (var i = 0; i < 20_000; i++)
        {
            store.Set($"small-{i}", new byte[100], 0);
        }

        for (var i = 0; i < 5_000; i++)
        {
            store.Set($"large-{i}", new byte[900], 0);
        }

        Assert.True(store.Bytes <= budget);
        // Pages of 16 KiB for a 1 MiB budget, 8 spare; the index and ghost tables on top.
        Assert.InRange(store.MemoryBytes, budget / 2, budget + 8 * 16 * 1024 + 512 * 1024);
        Assert.All(Enumerable.Range(4_990, 10), i => Assert.True(store.TryGet($"large-{i}", 0, out _), $"large-{i} is missing"));
    }

    [Fact]
    public void UnderEvictionAndPageMoves_EveryValueReadIsTheLastOneWritten_AndTheAccountingHolds()
    {
        // Small budget, sizes across many classes (and past the largest chunk): pages keep moving between classes.
        const long budget = 96 * 1024;
        var store = new S3FifoCacheStore(budget);
        var written = new Dictionary<string, byte[]>();
        var random = new Random(11);
        for (var i = 0; i < 40_000; i++)
        {
            var key = "k" + random.Next(600);
            switch (random.Next(10))
            {
                case 0:
                    store.Remove(key);
                    written.Remove(key);
                    break;
                case < 5:
                    var value = new byte[random.Next(10) == 0 ? random.Next(16_000, 20_000) : random.Next(0, i % 2 == 0 ? 200 : 3000)];
                    random.NextBytes(value);
                    if (store.Set(key, value, 0))
                    {
                        written[key] = value;
                    }

                    break;
                default:
                    if (store.TryGet(key, 0, out var read))
                    {
                        Assert.Equal(written[key], read.Value);
                    }

                    break;
            }

            Assert.True(store.Bytes <= budget);
        }

        var held = written.Where(e => store.TryGet(e.Key, 0, out var v) && v.Value.AsSpan().SequenceEqual(e.Value)).ToList();
        Assert.Equal(store.Count, held.Count);
        Assert.Equal(held.Sum(e => store.SizeOf(e.Key, e.Value.Length)), store.Bytes);
        Assert.True(store.MemoryBytes <= budget + 8 * 4096 + 64 * 1024, $"{store.MemoryBytes} bytes held for a {budget}-byte budget");
    }

    [Fact]
    public void LoweringTheBudget_ReturnsEmptyPages()
    {
        var store = new S3FifoCacheStore(4 << 20);
        for (var i = 0; i < 30_000; i++)
        {
            store.Set($"k{i}", new byte[100], 0);
        }

        var before = store.MemoryBytes;
        store.MaxBytes = 256 << 10;

        Assert.True(store.Bytes <= 256 << 10);
        Assert.True(store.MemoryBytes < before / 2, $"{store.MemoryBytes} bytes held after the budget went from 4 MiB to 256 KiB ({before} before)");
    }

    private protected override ICacheStore Create(long maxBytes) => new S3FifoCacheStore(maxBytes);
}
