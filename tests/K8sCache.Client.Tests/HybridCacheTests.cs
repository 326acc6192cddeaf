using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary>HybridCache with the cluster as its second level, across application instances.</summary>
public sealed class HybridCacheTests(PodPairFixture fixture) : IClassFixture<PodPairFixture>
{
    private PodPair Pods => fixture.Pods;

    [Fact]
    public async Task AValueSetOnOneInstance_IsReadByTheOther_FromTheSecondLevel()
    {
        await Hybrid(0).SetAsync("hybrid-shared", "from-instance-0");

        var read = await Hybrid(1).GetOrCreateAsync("hybrid-shared", _ => ValueTask.FromResult("factory-ran"));

        Assert.Equal("from-instance-0", read);
    }

    [Fact]
    public async Task GetOrCreate_RunsTheFactoryOnce_AndTheOtherInstanceReusesIt()
    {
        var calls = 0;
        var first = await Hybrid(0).GetOrCreateAsync("hybrid-created", _ => ValueTask.FromResult($"made-{Interlocked.Increment(ref calls)}"));
        // HybridCache writes its second level in the background once the factory returned: wait for that write.
        var l2 = Pods.Applications[0].Services.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>();
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (await l2.GetAsync("hybrid-created") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var second = await Hybrid(1).GetOrCreateAsync("hybrid-created", _ => ValueTask.FromResult($"made-{Interlocked.Increment(ref calls)}"));

        Assert.Equal(("made-1", "made-1", 1), (first, second, calls));
    }

    [Fact]
    public async Task Remove_ClearsTheSecondLevel_SoAnInstanceWithoutItInMemoryRunsTheFactory()
    {
        await Hybrid(0).SetAsync("hybrid-removed", "old");
        await Hybrid(0).RemoveAsync("hybrid-removed");

        await using var fresh = NewInstance(1, defaultGroup: "kv");
        var read = await fresh.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid-removed", _ => ValueTask.FromResult("recreated"));

        Assert.Equal("recreated", read);
    }

    [Fact]
    public async Task RemoveByTag_OnOneInstance_InvalidatesTheTaggedEntryForAnInstanceReadingTheSecondLevel()
    {
        await Hybrid(0).SetAsync("hybrid-tagged", "tagged", tags: ["team-a"]);
        await Hybrid(0).RemoveByTagAsync("team-a");

        await using var fresh = NewInstance(1, defaultGroup: "kv");
        var read = await fresh.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid-tagged", _ => ValueTask.FromResult("after-tag-removal"));

        Assert.Equal("after-tag-removal", read);
    }

    private HybridCache Hybrid(int pod) => Pods.Applications[pod].Services.GetRequiredService<HybridCache>();

    private ServiceProvider NewInstance(int pod, string? defaultGroup = null)
    {
        var services = new ServiceCollection();
        services.AddK8sCache(o => (o.Endpoint, o.DefaultGroup) = (Pods.RespEndpoint(pod), defaultGroup));
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
