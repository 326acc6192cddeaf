using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary>IDistributedCache semantics on the cluster cache: expirations, refresh, remove, key naming.</summary>
public sealed class DistributedCacheTests(PodPairFixture fixture) : IClassFixture<PodPairFixture>
{
    private PodPair Pods => fixture.Pods;

    private IDistributedCache Cache(int pod) => Pods.Applications[pod].Services.GetRequiredService<IDistributedCache>();

    [Fact]
    public async Task AbsoluteAndRelativeExpirations_BecomeTheEntrysLifetime()
    {
        await Cache(0).SetAsync("relative", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60) });
        await Cache(0).SetAsync("absolute", [2], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(120) });
        await Cache(0).SetAsync("none", [3], new DistributedCacheEntryOptions());

        Assert.InRange(await Resp.PttlAsync(Pods.RespEndpoint(1), "kv:relative"), 55_000, 60_000);
        Assert.InRange(await Resp.PttlAsync(Pods.RespEndpoint(1), "kv:absolute"), 115_000, 120_000);
        Assert.Equal(-1, await Resp.PttlAsync(Pods.RespEndpoint(1), "kv:none"));
        Assert.Equal([1], await Cache(1).GetAsync("relative"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Cache(0).SetAsync("past", [4], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) }));
    }

    [Fact]
    public async Task SlidingExpiration_IsMovedOnByGetAndRefresh_NeverPastTheAbsoluteEnd()
    {
        var endpoint = Pods.RespEndpoint(0);
        await Cache(0).SetAsync("sliding", "session"u8.ToArray(), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(60) });
        Assert.InRange(await Resp.PttlAsync(endpoint, "kv:sliding"), 55_000, 60_000);

        // Shorten it behind the cache's back; a Get moves it on by the window again, and returns the value unwrapped.
        await Resp.PexpireAsync(endpoint, "kv:sliding", 5_000);
        Assert.Equal("session"u8.ToArray(), await Cache(1).GetAsync("sliding"));
        Assert.InRange(await Resp.PttlAsync(endpoint, "kv:sliding"), 55_000, 60_000);

        await Resp.PexpireAsync(endpoint, "kv:sliding", 5_000);
        await Cache(1).RefreshAsync("sliding");
        Assert.InRange(await Resp.PttlAsync(endpoint, "kv:sliding"), 55_000, 60_000);

        await Cache(0).SetAsync("capped", [9], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(60), AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(20) });
        await Cache(0).RefreshAsync("capped");
        Assert.InRange(await Resp.PttlAsync(endpoint, "kv:capped"), 15_000, 20_000);

        await Cache(0).RemoveAsync("sliding");
        Assert.Null(await Cache(1).GetAsync("sliding"));
    }

    [Fact]
    public async Task BufferInterface_WritesIntoTheCallersBuffer()
    {
        var buffers = (IBufferDistributedCache)Cache(0);
        await buffers.SetAsync("buffer", new System.Buffers.ReadOnlySequence<byte>("buffered"u8.ToArray()), new DistributedCacheEntryOptions());
        var destination = new System.Buffers.ArrayBufferWriter<byte>();

        Assert.True(await buffers.TryGetAsync("buffer", destination));
        Assert.Equal("buffered"u8.ToArray(), destination.WrittenSpan.ToArray());
        Assert.False(await buffers.TryGetAsync("buffer-absent", destination));
    }

    [Fact]
    public async Task KeysNameTheirGroup_OrTheDefaultGroupHoldsThem()
    {
        await using var provider = new ServiceCollection().AddK8sCache(o => o.Endpoint = Pods.RespEndpoint(0)).BuildServiceProvider();
        var withoutDefault = provider.GetRequiredService<IDistributedCache>();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => withoutDefault.GetAsync("no-group-here"));
        Assert.Contains("names no group", e.Message, StringComparison.Ordinal);

        await withoutDefault.SetAsync("kv:user:42", [42], new DistributedCacheEntryOptions());
        Assert.Equal([42], await Cache(1).GetAsync("user:42"));
    }
}
