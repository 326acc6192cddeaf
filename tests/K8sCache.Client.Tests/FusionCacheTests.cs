using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace K8sCache.Client.Tests;

/// <summary>FusionCache 2.9, unchanged, with <c>AddK8sCache</c>'s IDistributedCache as its distributed level.</summary>
public sealed class FusionCacheTests(PodPairFixture fixture) : IClassFixture<PodPairFixture>
{
    private PodPair Pods => fixture.Pods;

    [Fact]
    public async Task GetOrSet_OnTwoApplicationInstances_RunsTheFactoryOnce()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        var calls = 0;

        var one = await first.GetRequiredService<IFusionCache>().GetOrSetAsync("fusion-created", _ => Task.FromResult($"made-{Interlocked.Increment(ref calls)}"));
        var two = await second.GetRequiredService<IFusionCache>().GetOrSetAsync("fusion-created", _ => Task.FromResult($"made-{Interlocked.Increment(ref calls)}"));

        Assert.Equal(("made-1", "made-1", 1), (one, two, calls));
    }

    [Fact]
    public async Task Remove_OnOneInstance_MakesAFreshInstanceRunTheFactory()
    {
        await using var first = Instance(0);
        await first.GetRequiredService<IFusionCache>().SetAsync("fusion-removed", "old");
        await first.GetRequiredService<IFusionCache>().RemoveAsync("fusion-removed");

        await using var fresh = Instance(1);
        var read = await fresh.GetRequiredService<IFusionCache>().GetOrSetAsync("fusion-removed", _ => Task.FromResult("recreated"));

        Assert.Equal("recreated", read);
    }

    private ServiceProvider Instance(int pod)
    {
        var services = new ServiceCollection();
        services.AddK8sCache(o => (o.Endpoint, o.DefaultGroup) = (Pods.RespEndpoint(pod), "kv"));
        // Distributed writes awaited (FusionCache's default, stated): GetOrSet returns once the value is in the cluster.
        services.AddFusionCache()
            .WithDefaultEntryOptions(new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), AllowBackgroundDistributedCacheOperations = false })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer()).WithRegisteredDistributedCache();
        return services.BuildServiceProvider();
    }
}
