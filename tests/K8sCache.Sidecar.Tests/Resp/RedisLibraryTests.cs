using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>The .NET libraries applications already run against Redis, unchanged, against a three-node cluster's Redis
/// endpoints: StackExchange.Redis, <c>AddStackExchangeRedisCache</c> under HybridCache and under FusionCache.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisLibraryTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task StackExchangeRedis_SetexSetnxCountersHashesLocksAndConditionalTransactions()
    {
        await using var a = await ConnectAsync(Cluster.Nodes[0]);
        await using var b = await ConnectAsync(Cluster.Nodes[1]);
        var (da, db) = (a.GetDatabase(), b.GetDatabase());

        Assert.True(await da.StringSetAsync("kv:se-setex", "v", TimeSpan.FromSeconds(100)));
        Assert.InRange((await db.KeyTimeToLiveAsync("kv:se-setex"))!.Value.TotalSeconds, 98, 100);
        Assert.True(await da.StringSetAsync("kv:se-nx", "first", when: When.NotExists));
        Assert.False(await db.StringSetAsync("kv:se-nx", "second", when: When.NotExists));
        var counts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? da : db).StringIncrementAsync("kv:se-counter")));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), counts.Order());
        await da.HashSetAsync("kv:se-hash", [new("a", "1"), new("b", "2")]);
        Assert.Equal("2", (string?)await db.HashGetAsync("kv:se-hash", "b"));
        Assert.Equal(2, (await db.HashGetAllAsync("kv:se-hash")).Length);
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync("kv:se-hash"));

        Assert.True(await da.LockTakeAsync("kv:se-lock", "owner-a", TimeSpan.FromSeconds(30)));
        Assert.False(await db.LockTakeAsync("kv:se-lock", "owner-b", TimeSpan.FromSeconds(30)));
        Assert.False(await db.LockReleaseAsync("kv:se-lock", "owner-b"));
        Assert.True(await da.LockReleaseAsync("kv:se-lock", "owner-a"));
        Assert.True(await db.LockTakeAsync("kv:se-lock", "owner-b", TimeSpan.FromSeconds(30)));

        // The WATCH form on purpose (SER301 suggests the newer atomic SET IFEQ): it is what applications send today.
#pragma warning disable SER301
        var kept = da.CreateTransaction();
        kept.AddCondition(Condition.StringEqual("kv:{se-tx}:state", RedisValue.Null));
        _ = kept.StringSetAsync("kv:{se-tx}:state", "started");
        _ = kept.StringIncrementAsync("kv:{se-tx}:runs");
        Assert.True(await kept.ExecuteAsync());
        var refused = db.CreateTransaction();
        refused.AddCondition(Condition.StringEqual("kv:{se-tx}:state", "idle"));
        _ = refused.StringSetAsync("kv:{se-tx}:state", "again");
        Assert.False(await refused.ExecuteAsync());
#pragma warning restore SER301
        Assert.Equal("started", (string?)await da.StringGetAsync("kv:{se-tx}:state"));
        Assert.Equal(1, (long)await db.StringGetAsync("kv:{se-tx}:runs"));
    }

    [Fact]
    public async Task HybridCache_OverAddStackExchangeRedisCache_TwoAppInstancesComputeOnce()
    {
        await using var first = Application(Cluster.Nodes[0], s => s.AddHybridCache());
        await using var second = Application(Cluster.Nodes[2], s => s.AddHybridCache());
        var computed = 0;

        var one = await first.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid-key", _ => ValueTask.FromResult($"computed-{Interlocked.Increment(ref computed)}"));
        await UntilStoredAsync(first.GetRequiredService<IDistributedCache>(), "hybrid-key");
        var two = await second.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid-key", _ => ValueTask.FromResult($"computed-{Interlocked.Increment(ref computed)}"));
        await first.GetRequiredService<IDistributedCache>().RefreshAsync("hybrid-key");

        Assert.Equal("computed-1", one);
        Assert.Equal("computed-1", two);
        Assert.Equal(1, computed);
    }

    [Fact]
    public async Task FusionCache_OverAddStackExchangeRedisCache_TwoAppInstancesComputeOnce()
    {
        // Distributed writes awaited (FusionCache's default, stated): GetOrSet returns once the value is in the cluster.
        static void Fusion(IServiceCollection s) => s.AddFusionCache()
            .WithDefaultEntryOptions(new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), AllowBackgroundDistributedCacheOperations = false })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer()).WithRegisteredDistributedCache();
        await using var first = Application(Cluster.Nodes[1], Fusion);
        await using var second = Application(Cluster.Nodes[2], Fusion);
        var computed = 0;

        var one = await first.GetRequiredService<IFusionCache>().GetOrSetAsync("fusion-key", _ => Task.FromResult(Interlocked.Increment(ref computed)));
        var two = await second.GetRequiredService<IFusionCache>().GetOrSetAsync("fusion-key", _ => Task.FromResult(Interlocked.Increment(ref computed)));

        Assert.Equal(1, one);
        Assert.Equal(1, two);
        Assert.Equal(1, computed);
    }

    [Fact]
    public async Task FusionCache_WithItsRedisBackplaneThroughTheSidecars_KeepsEveryInstancesMemoryCoherent()
    {
        // Each instance talks to its own node only: the backplane's messages cross the cluster through the sidecars.
        static Action<IServiceCollection> Fusion(SidecarNode node) => s => s.AddFusionCache()
            .WithDefaultEntryOptions(new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), AllowBackgroundDistributedCacheOperations = false, AllowBackgroundBackplaneOperations = false })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer()).WithRegisteredDistributedCache()
            .WithBackplane(new RedisBackplane(new RedisBackplaneOptions { Configuration = $"{node.Ip}:{node.RespPort},connectTimeout=10000,syncTimeout=10000" }));
        await using var first = Application(Cluster.Nodes[0], Fusion(Cluster.Nodes[0]));
        await using var second = Application(Cluster.Nodes[2], Fusion(Cluster.Nodes[2]));
        var (one, two) = (first.GetRequiredService<IFusionCache>(), second.GetRequiredService<IFusionCache>());
        await one.SetAsync("fusion-backplane", "v1");
        Assert.Equal("v1", await two.GetOrSetAsync("fusion-backplane", _ => Task.FromResult("factory-ran")));

        await one.SetAsync("fusion-backplane", "v2");
        await Eventually.TrueAsync(async () => await two.GetOrSetAsync("fusion-backplane", _ => Task.FromResult("factory-ran")) == "v2", "the second instance to read v2");
        await one.RemoveAsync("fusion-backplane");
        await Eventually.TrueAsync(async () => await two.GetOrSetAsync("fusion-backplane", _ => Task.FromResult("recreated")) == "recreated", "the second instance to recreate it");
    }

    /// <summary>Waits for the write a library makes to its second level after the factory returned (HybridCache makes it
    /// in the background): an event, bounded by the test timeout.</summary>
    private static async Task UntilStoredAsync(IDistributedCache cache, string key)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (await cache.GetAsync(key) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(SidecarNode node) =>
        ConnectionMultiplexer.ConnectAsync($"{node.Ip}:{node.RespPort},abortConnect=false,connectTimeout=10000,syncTimeout=10000");

    /// <summary>An application's services: the Redis IDistributedCache on one node (keys in group "kv") and what
    /// <paramref name="add"/> puts over it.</summary>
    private static ServiceProvider Application(SidecarNode node, Action<IServiceCollection> add)
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = $"{node.Ip}:{node.RespPort},connectTimeout=10000,syncTimeout=10000";
            o.InstanceName = "kv:";
        });
        add(services);
        return services.BuildServiceProvider();
    }
}
