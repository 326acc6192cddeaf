using System.Text.Json;
using K8sCache.Operator.Tests.Fixtures;
using Xunit.Abstractions;

namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>
/// The operator's real objects run as pods: kubectl applies a CacheGroup, the operator renders it, the StatefulSet
/// controller stand-in makes pods, the node agent stand-in runs the real sidecar in each pod's network namespace with
/// the volumes the kubelet would write, and the sidecars find each other through cluster DNS.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WholeSystemTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PodClusterEnvironment _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PodClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AppliedCacheGroup_BecomesReadyPods_WhoseRingsHoldEveryPod()
    {
        var started = DateTime.UtcNow;
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);

        await Poll.UntilAsync(() => _cluster.Agent.Running.Count(p => p.Ready) == 3, TimeSpan.FromSeconds(90));
        var ready = DateTime.UtcNow - started;
        var pods = _cluster.Agent.Running.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        var expected = pods.Select(p => $"{p.Ip}:7070").Order(StringComparer.Ordinal).ToArray();
        await Poll.UntilAsync(() => pods.All(p => Members(p.Name).SequenceEqual(expected)));
        var (_, table, _) = await _cluster.Api.KubectlAsync("get", "cg");
        output.WriteLine($"apply to 3 ready pods: {ready.TotalSeconds:F1} s\n{table}");

        Assert.True(pods.Length == 3 && pods.All(p => p.Ready), Diagnostics());
        Assert.All(pods, p => Assert.Equal(expected, Members(p.Name)));
        Assert.Matches(@"scores\s+3\s+3\s+True", table);
    }

    private string[] Members(string pod)
    {
        var (status, body) = _cluster.HttpGetInPod("default", pod, "http://127.0.0.1:7071/v1/stats");
        if (status != "200")
        {
            return [];
        }

        using var stats = JsonDocument.Parse(body);
        return stats.RootElement.GetProperty("ring").GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal).ToArray();
    }

    private string Diagnostics() =>
        string.Join("\n", _cluster.Agent.Running.Select(p => $"{p.Name} {p.Ip} ready={p.Ready}\n" + string.Join("\n", p.Containers.Select(c => $"  {c.Name}: started={c.Started} ready={c.Ready} restarts={c.RestartCount}\n{c.Logs}"))))
        + "\nagent:\n" + string.Join("\n", _cluster.Agent.Failures) + "\noperator:\n" + _cluster.OperatorLogs;
}
