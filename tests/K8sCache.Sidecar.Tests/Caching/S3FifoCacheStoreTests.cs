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

    private protected override ICacheStore Create(long maxBytes) => new S3FifoCacheStore(maxBytes);
}
