using System.Net;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>Nodes dying, stopping and being reconfigured while the cluster serves. Each test has a cluster of its own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FailureClusterTests
{
    [Fact]
    public async Task SigkillOneNode_UnderLoad_GetsKeepAnswering_ThenStaticDiscoveryDropsIt()
    {
        await using var cluster = await SidecarCluster.StartAsync(3);
        cluster.Loader.Delay = TimeSpan.Zero;
        var survivors = cluster.Nodes.Take(2).ToArray();
        var victim = cluster.Nodes[2];
        var keys = Enumerable.Range(0, 60).Select(i => $"load-{i}").ToArray();
        var completed = 0;
        var failures = new List<string>();

        // Bounded load: 10 workers, 600 requests in all, spread over the survivors; the victim dies after the 200th.
        var workers = Enumerable.Range(0, 10).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < 600; i += 10)
            {
                var key = keys[i % keys.Length];
                var (status, body, _) = await cluster.GetAsync(survivors[i % 2], "scores", key);
                if (status != HttpStatusCode.OK || body != "value-of-" + key)
                {
                    lock (failures)
                    {
                        failures.Add($"{key}: {(int)status} {body}");
                    }
                }

                if (Interlocked.Increment(ref completed) == 200)
                {
                    victim.Process.Kill();
                }
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(victim.Process.HasExited);
        Assert.Empty(failures);
        var peerErrors = 0L;
        foreach (var node in survivors)
        {
            peerErrors += (await cluster.GroupStatsAsync(node, "scores")).GetProperty("peerErrors").GetInt64();
        }

        Assert.True(peerErrors > 0, "no Get reached the dead owner: the test did not exercise the fallback");

        // The operator's job in a cluster: the member list loses the dead node, and the ring drops it.
        foreach (var node in survivors)
        {
            node.WriteConfig(cluster.StaticDiscovery(survivors), cluster.TokenFile, cluster.Loader.UrlTemplate);
        }

        foreach (var node in survivors)
        {
            await cluster.WaitForMembersAsync(node, survivors.Select(n => n.PeerAddress));
        }

        var before = new long[2];
        for (var i = 0; i < 2; i++)
        {
            before[i] = (await cluster.GroupStatsAsync(survivors[i], "scores")).GetProperty("peerErrors").GetInt64();
        }

        foreach (var key in keys)
        {
            foreach (var node in survivors)
            {
                Assert.Equal(HttpStatusCode.OK, (await cluster.GetAsync(node, "scores", key)).Status);
            }
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(before[i], (await cluster.GroupStatsAsync(survivors[i], "scores")).GetProperty("peerErrors").GetInt64());
        }
    }

    [Fact]
    public async Task Sigterm_FinishesTheCallInFlight_ThenExitsCleanly()
    {
        await using var cluster = await SidecarCluster.StartAsync(1);
        var node = cluster.Nodes[0];

        var slowGet = cluster.GetAsync(node, "scores", "slow-shutdown");
        await cluster.Loader.SlowStarted.WaitAsync(TestTimeouts.Default);
        await node.Process.TerminateAsync();
        var (status, body, _) = await slowGet.WaitAsync(TestTimeouts.Default);
        var exitCode = await node.Process.WaitForExitAsync(TestTimeouts.Default);

        Assert.Equal((HttpStatusCode.OK, "value-of-slow-shutdown"), (status, body));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Sigterm_FailsReadinessFirst_AndKeepsServingTheLocalApiDuringTheDelay()
    {
        await using var cluster = await SidecarCluster.CreateAsync();
        var node = cluster.StartNode(1, $"static:///{cluster.Network}.1:7070", configure: n => n.Settings["ShutdownDelay"] = "10s");
        await cluster.WaitForMembersAsync(node, [node.PeerAddress]);
        using (var put = await cluster.Http.PutAsync(cluster.KeyUri(node, "kv", "during-shutdown"), new StringContent("still here")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await node.Process.TerminateAsync();
        var ready = await PollAsync(() => cluster.Http.GetAsync(new Uri(node.AdminUri, "/readyz")), r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        using var health = await cluster.Http.GetAsync(new Uri(node.AdminUri, "/healthz"));
        var (status, body, _) = await cluster.GetAsync(node, "kv", "during-shutdown");
        var exitCode = await node.Process.WaitForExitAsync(TestTimeouts.Default);

        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "still here"), (status, body));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task ChangedConfigFile_ReachesTheRunningNode_WithoutARestart()
    {
        await using var cluster = await SidecarCluster.StartAsync(1);
        var node = cluster.Nodes[0];
        using var put = await cluster.Http.PutAsync(cluster.KeyUri(node, "kv", "survives-reload"), new StringContent("v"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Contains("unknown group", (await cluster.GetAsync(node, "extra", "k")).Body, StringComparison.Ordinal);

        node.WriteConfig(cluster.StaticDiscovery(cluster.Nodes), cluster.TokenFile, cluster.Loader.UrlTemplate, "extra");
        var answer = await PollAsync(() => cluster.GetAsync(node, "extra", "k"), a => !a.Body.Contains("unknown group", StringComparison.Ordinal));
        var kept = await cluster.GetAsync(node, "kv", "survives-reload");

        Assert.Equal((HttpStatusCode.NotFound, "miss"), (answer.Status, answer.Source));
        Assert.Equal((HttpStatusCode.OK, "v"), (kept.Status, kept.Body));
        Assert.False(node.Process.HasExited);
    }

    /// <summary>Repeats <paramref name="read"/> until <paramref name="done"/> holds, within the test timeout.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
