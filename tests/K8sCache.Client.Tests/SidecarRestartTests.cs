using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary>The sidecar restarts under a client holding pooled connections to it.</summary>
public sealed class SidecarRestartTests : IAsyncLifetime
{
    private PodPair _pods = null!;

    public async Task InitializeAsync() => _pods = await PodPair.StartAsync();

    public async Task DisposeAsync() => await _pods.DisposeAsync();

    [Fact]
    public async Task WhileTheSidecarIsDown_CallsSaySo_AndOnceItIsBack_TheSameClientWorksAgain()
    {
        var cache = _pods.Applications[1].Services.GetRequiredService<IK8sCache>();
        // Several pooled connections, all to the process about to die.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => cache.SetStringAsync("kv", $"before-{i}", "v").AsTask()));

        _pods.KillSidecar(1);
        var down = await Assert.ThrowsAsync<K8sCacheUnavailableException>(async () => await cache.GetAsync("kv", "before-0"));
        _pods.StartSidecar(1);
        await _pods.WaitReadyAsync(1);
        var afterRestart = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => cache.GetStringAsync("kv", $"before-{i}").AsTask()));

        Assert.Contains("sidecar", down.Message, StringComparison.Ordinal);
        // The keys the other pod owns survived; the restarted pod's own keys are gone (a cache, not a store).
        Assert.All(afterRestart, v => Assert.True(v is null or "v"));
        Assert.Contains(afterRestart, v => v == "v");
        await cache.SetStringAsync("kv", "after", "works");
        Assert.Equal("works", await cache.GetStringAsync("kv", "after"));
    }
}
