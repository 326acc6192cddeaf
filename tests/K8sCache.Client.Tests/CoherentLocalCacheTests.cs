using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary>
/// HybridCache over <c>AddK8sCache</c> on two application instances, each beside its own sidecar: a write, a removal
/// or a tag removal on one instance (or by any client) leaves the other instance's memory, also across a restart of
/// its sidecar; and a value read while its key changed never settles in memory.
/// </summary>
public sealed class CoherentLocalCacheTests : IAsyncLifetime
{
    private PodPair _pods = null!;

    public async Task InitializeAsync() => _pods = await PodPair.StartAsync();

    public async Task DisposeAsync() => await _pods.DisposeAsync();

    [Fact]
    public async Task ASetOrRemoveOnOneInstance_LeavesTheOtherInstancesMemory()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        await HeldBySecondAsync(first, second, "coherent-set");

        await Hybrid(first).SetAsync("coherent-set", "v2");
        await UntilReadAsync(second, "coherent-set", "v2");
        await Hybrid(first).RemoveAsync("coherent-set");
        await UntilReadAsync(second, "coherent-set", "recreated");
    }

    [Fact]
    public async Task WithoutCoherence_TheOtherInstanceKeepsServingItsCopy()
    {
        // The problem the feature removes, shown on the same setup: HybridCache alone has no backplane.
        await using var first = Instance(0, coherent: false);
        await using var second = Instance(1, coherent: false);
        await HeldBySecondAsync(first, second, "incoherent");

        await Hybrid(first).SetAsync("incoherent", "v2");

        Assert.Equal("v1", await Hybrid(second).GetOrCreateAsync("incoherent", Factory("factory-ran")));
    }

    [Fact]
    public async Task ATagRemovedOnOneInstance_LeavesTheOtherInstancesMemory()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        await HeldBySecondAsync(first, second, "coherent-tagged", ["team-b"]);

        await Hybrid(first).RemoveByTagAsync("team-b");

        await UntilReadAsync(second, "coherent-tagged", "after-tag", ["team-b"]);
    }

    [Fact]
    public async Task AWriteByAnotherClientThroughAnotherSidecar_LeavesTheInstancesMemory()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        await HeldBySecondAsync(first, second, "coherent-raw");

        Assert.True(await first.GetRequiredService<IK8sCache>().DeleteAsync("kv", "coherent-raw"));

        await UntilReadAsync(second, "coherent-raw", "reloaded");
    }

    [Fact]
    public async Task TheOneLineSetup_NeedsNoDefaultGroup_AndItsTagRecordsLiveInTheTagsGroup()
    {
        await using var first = Instance(0, defaultGroup: null);
        await using var second = Instance(1, defaultGroup: null);
        await HeldBySecondAsync(first, second, "kv:one-line", ["one-line-tag"]);

        await Hybrid(first).RemoveByTagAsync("one-line-tag");

        await UntilReadAsync(second, "kv:one-line", "after-tag", ["one-line-tag"]);
        Assert.NotNull(await first.GetRequiredService<IK8sCache>().GetAsync("k8scache.tags", "__MSFT_HCT__one-line-tag"));
    }

    [Fact]
    public async Task AChangeReportedWhileAReadIsInFlight_KeepsThatReadsValueOutOfMemory()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        var coherence = second.GetRequiredService<LocalCacheCoherence>();
        var memory = second.GetRequiredService<IMemoryCache>();

        // Two reads begin (their values are on the way); the key of one changes; then both values arrive.
        await coherence.BeginReadAsync("kv", "in-flight-changed");
        await coherence.BeginReadAsync("kv", "in-flight-calm");
        var seen = coherence.EventsSeen;
        await first.GetRequiredService<IK8sCache>().SetStringAsync("kv", "in-flight-changed", "newer");
        await Eventually.TrueAsync(() => coherence.EventsSeen > seen, "the change to reach the instance");
        memory.Set("in-flight-changed", "older");
        memory.Set("in-flight-calm", "calm");

        Assert.False(memory.TryGetValue("in-flight-changed", out _));
        Assert.Equal("calm", memory.Get<string>("in-flight-calm"));
    }

    [Fact]
    public async Task AcrossARestartOfItsSidecar_AnInstanceNeverServesACopyThatMissedAChange()
    {
        await using var first = Instance(0);
        await using var second = Instance(1);
        var keys = Enumerable.Range(0, 8).Select(i => $"restart-{i}").ToArray();
        foreach (var key in keys)
        {
            await Hybrid(first).SetAsync(key, "before");
            Assert.Equal("before", await Hybrid(second).GetOrCreateAsync(key, Factory("factory-ran")));
        }

        var coherence = second.GetRequiredService<LocalCacheCoherence>();
        var losses = coherence.Losses;
        _pods.KillSidecar(1);
        await Eventually.TrueAsync(() => coherence.Losses > losses, "the instance to notice its sidecar is gone");
        // While it is away, the keys the other sidecar owns are removed (its own keys cannot be written).
        var removed = new List<string>();
        foreach (var key in keys)
        {
            try
            {
                await first.GetRequiredService<IK8sCache>().DeleteAsync("kv", key);
                removed.Add(key);
            }
            catch (K8sCacheException)
            {
                // Owned by the stopped sidecar.
            }
        }

        foreach (var key in keys)
        {
            Assert.NotEqual("before", await ReadOrFailureAsync(second, key));
        }

        _pods.StartSidecar(1);
        await _pods.WaitReadyAsync(1);

        Assert.NotEmpty(removed);
        foreach (var key in removed)
        {
            await UntilReadAsync(second, key, "reloaded");
        }
    }

    /// <summary>The first instance stores "v1"; the second reads it from the cluster and keeps it in memory.</summary>
    private static async Task HeldBySecondAsync(IServiceProvider first, IServiceProvider second, string key, string[]? tags = null)
    {
        await Hybrid(first).SetAsync(key, "v1", tags: tags);
        Assert.Equal("v1", await Hybrid(second).GetOrCreateAsync(key, Factory("factory-ran"), tags: tags));
    }

    private static HybridCache Hybrid(IServiceProvider services) => services.GetRequiredService<HybridCache>();

    private static Func<CancellationToken, ValueTask<string>> Factory(string value) => _ => ValueTask.FromResult(value);

    /// <summary>Reads through HybridCache until the value is <paramref name="expected"/> (the factory answers it when
    /// the cluster has nothing): how a change reaches the other instance's memory.</summary>
    private static Task UntilReadAsync(IServiceProvider services, string key, string expected, string[]? tags = null) =>
        Eventually.TrueAsync(async () => await Hybrid(services).GetOrCreateAsync(key, Factory(expected), tags: tags) == expected, $"'{key}' to read '{expected}'");

    private static async Task<string> ReadOrFailureAsync(IServiceProvider services, string key)
    {
        try
        {
            return await Hybrid(services).GetOrCreateAsync(key, Factory("factory-while-away"));
        }
        catch (Exception e) when (e is K8sCacheException or TimeoutException)
        {
            return "failed: " + e.Message;
        }
    }

    private ServiceProvider Instance(int pod, string? defaultGroup = "kv", bool coherent = true)
    {
        var services = new ServiceCollection();
        services.AddK8sCache(o => (o.Endpoint, o.DefaultGroup, o.CoherentLocalCache) = (_pods.RespEndpoint(pod), defaultGroup, coherent));
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
