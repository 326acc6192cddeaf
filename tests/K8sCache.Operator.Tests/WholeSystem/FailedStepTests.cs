namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>A whole-system test made to fail: its message explains the failure, and its cluster leaves nothing behind.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(WholeSystemCollection.Name)]
public sealed class FailedStepTests
{
    [Fact]
    public async Task AStepThatTimesOut_SaysWhatItWaitedFor_AndWhatTheClusterLooksLike_AndDisposalLeavesNothing()
    {
        var cluster = await PodClusterEnvironment.StartAsync();
        string prefix = cluster.Network.Prefix, directory = cluster.Api.Directory;
        int[] processes = [];
        TimeoutException failure;
        try
        {
            var (exit, _, error) = await cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
            Assert.True(exit == 0, error);
            await cluster.WaitUntilAsync("3 pods Ready", () => cluster.Agent.Running.Count(p => p.Ready) == 3, TimeSpan.FromSeconds(90));
            processes = [.. cluster.Agent.Running.SelectMany(p => p.Containers).Select(c => c.ProcessId ?? 0), .. cluster.Operators.Select(o => o.Id)];

            failure = await Assert.ThrowsAsync<TimeoutException>(() => cluster.WaitUntilAsync(
                "a sixth pod Ready", () => cluster.Agent.Running.Count == 6, TimeSpan.FromSeconds(2), () => $"{cluster.Agent.Running.Count} pods"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.Contains("whole-system step \"a sixth pod Ready\" did not finish in 2 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains("last seen: 3 pods", failure.Message, StringComparison.Ordinal);
        Assert.Contains("default/scores-0 ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("k8scache: pid=", failure.Message, StringComparison.Ordinal);
        Assert.Contains("statefulset default/scores: spec.replicas=3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("scores-peers.default.svc.cluster.local", failure.Message, StringComparison.Ordinal);
        Assert.Contains("operator-0 (pid", failure.Message, StringComparison.Ordinal);
        Assert.Equal(4, processes.Count(p => p > 0));
        Assert.All(processes, p => Assert.False(Directory.Exists($"/proc/{p}"), $"process {p} outlived the cluster"));
        Assert.Empty(HarnessLeftovers.NamespacesOf(prefix));
        Assert.Empty(Directory.GetDirectories("/etc/netns", prefix + "-*"));
        Assert.False(Directory.Exists(directory));
    }
}
