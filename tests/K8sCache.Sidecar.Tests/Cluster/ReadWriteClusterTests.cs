using System.Net;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>Three sidecar processes on loopback, real gRPC between them, a loader in the test process.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReadWriteClusterTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ConcurrentColdGets_SpreadOverThreeNodes_CallTheLoaderOnce()
    {
        const string key = "cold-stampede";

        var gets = Enumerable.Range(0, 200).Select(i => Cluster.GetAsync(Cluster.Nodes[i % 3], "scores", key));
        var answers = await Task.WhenAll(gets).WaitAsync(TestTimeouts.Default);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "value-of-" + key), (a.Status, a.Body)));
        Assert.Equal(1, Cluster.Loader.CallsFor(key));
    }

    [Fact]
    public async Task ManyColdKeys_EachLoadedOnce_ByItsOwner()
    {
        var keys = Enumerable.Range(0, 30).Select(i => $"spread-{i}").ToArray();

        var gets = keys.SelectMany(k => Cluster.Nodes.Select(n => Cluster.GetAsync(n, "scores", k)));
        var answers = await Task.WhenAll(gets).WaitAsync(TestTimeouts.Default);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(keys, k => Assert.Equal(1, Cluster.Loader.CallsFor(k)));
        Assert.Contains(answers, a => a.Source == "peer");
        // The origin sees which node loaded: its owner.
        Assert.All(keys, k => Assert.Equal($"k8scache-sidecar ({Cluster.Owner(k)})", Cluster.Loader.UserAgentFor(k)));
    }

    [Fact]
    public async Task SetOnA_ThenGetOnC_ReturnsTheNewValue_EvenWhereHotCopiesWere()
    {
        var keys = Enumerable.Range(0, 20).Select(i => $"set-{i}").ToArray();
        await WarmEverywhereAsync("scores", keys);

        foreach (var key in keys)
        {
            using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Cluster.Nodes[0], "scores", key), new StringContent("new-" + key));
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        foreach (var key in keys)
        {
            foreach (var node in Cluster.Nodes)
            {
                var (status, body, _) = await Cluster.GetAsync(node, "scores", key);
                Assert.Equal((HttpStatusCode.OK, "new-" + key), (status, body));
            }
        }
    }

    [Fact]
    public async Task Delete_ThenGetOnEveryNode_FindsNothingStale()
    {
        var keys = Enumerable.Range(0, 20).Select(i => $"del-{i}").ToArray();
        foreach (var key in keys)
        {
            using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Cluster.Nodes[1], "kv", key), new StringContent("v"));
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await WarmEverywhereAsync("kv", keys);

        foreach (var key in keys)
        {
            using var delete = await Cluster.Http.DeleteAsync(Cluster.KeyUri(Cluster.Nodes[2], "kv", key));
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        foreach (var key in keys)
        {
            foreach (var node in Cluster.Nodes)
            {
                Assert.Equal(HttpStatusCode.NotFound, (await Cluster.GetAsync(node, "kv", key)).Status);
            }
        }
    }

    [Fact]
    public async Task PutWithTtl_ReportsRemainingLifetime_OnEveryNode()
    {
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Cluster.Nodes[0], "kv", "ttl-key", "?ttl=1h"), new StringContent("v"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        foreach (var node in Cluster.Nodes)
        {
            using var response = await Cluster.Http.GetAsync(Cluster.KeyUri(node, "kv", "ttl-key"));
            var ttlMs = long.Parse(response.Headers.GetValues("X-Cache-Ttl-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(ttlMs, 1, 3_600_000);
        }
    }

    [Fact]
    public async Task LoaderNotFoundAndFailure_Are404And502_AndFailuresAreNotCached()
    {
        var missing = await Cluster.GetAsync(Cluster.Nodes[0], "scores", "missing-1");
        var failed = await Cluster.GetAsync(Cluster.Nodes[0], "scores", "fail-1");
        var failedAgain = await Cluster.GetAsync(Cluster.Nodes[1], "scores", "fail-1");

        Assert.Equal((HttpStatusCode.NotFound, "miss"), (missing.Status, missing.Source));
        Assert.Equal(HttpStatusCode.BadGateway, failed.Status);
        Assert.Contains("HTTP 500", failed.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, failedAgain.Status);
        Assert.Equal(2, Cluster.Loader.CallsFor("fail-1"));
    }

    [Fact]
    public async Task BinaryValues_RoundTripByteForByte()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Cluster.Nodes[0], "kv", "binary/key ü"), new ByteArrayContent(value));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        foreach (var node in Cluster.Nodes)
        {
            Assert.Equal(value, await Cluster.Http.GetByteArrayAsync(Cluster.KeyUri(node, "kv", "binary/key ü")));
        }
    }

    [Fact]
    public async Task AdminEndpoints_ServeHealthReadinessAndMetrics()
    {
        var node = Cluster.Nodes[0];
        await Cluster.GetAsync(node, "scores", "metrics-key");

        Assert.Equal("ok\n", await Cluster.Http.GetStringAsync(new Uri(node.AdminUri, "/healthz")));
        Assert.StartsWith("ready", await Cluster.Http.GetStringAsync(new Uri(node.AdminUri, "/readyz")), StringComparison.Ordinal);
        using var metrics = await Cluster.Http.GetAsync(new Uri(node.AdminUri, "/metrics"));
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"k8scache_gets_total\{group=""scores""\} [1-9]", text);
        Assert.Contains("k8scache_ring_members 3", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_ring_view_mismatches_total 0", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_bytes{group=\"scores\",cache=\"main\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_PassPromtoolsCheck_AndTimeGetsByOutcome_PeerCallsAndLoads()
    {
        var (asked, owner) = (Cluster.Nodes[0], Cluster.Nodes[1]);
        var remote = Cluster.KeyOwnedBy(owner, "timed");
        await Cluster.GetAsync(asked, "scores", remote);
        await Cluster.GetAsync(owner, "scores", remote);
        await Cluster.GetAsync(owner, "scores", "missing-" + remote);

        foreach (var node in new[] { asked, owner })
        {
            var text = await Cluster.Http.GetStringAsync(new Uri(node.AdminUri, "/metrics"));
            var (exit, output) = await Promtool.RunAsync(["check", "metrics"], text);
            Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics on {node.Ip}: exit {exit}\n{output}\n{text}");
            Assert.Matches(@"k8scache_ring_fingerprint [1-9]", text);
        }

        var askedText = await Cluster.Http.GetStringAsync(new Uri(asked.AdminUri, "/metrics"));
        var ownerText = await Cluster.Http.GetStringAsync(new Uri(owner.AdminUri, "/metrics"));
        Assert.Matches(@"k8scache_get_duration_seconds_count\{group=""scores"",outcome=""peer""\} [1-9]", askedText);
        Assert.Matches(@"k8scache_peer_duration_seconds_bucket\{method=""Get"",outcome=""ok"",le=""\+Inf""\} [1-9]", askedText);
        Assert.Matches(@"k8scache_get_duration_seconds_count\{group=""scores"",outcome=""load""\} [1-9]", ownerText);
        Assert.Matches(@"k8scache_get_duration_seconds_count\{group=""scores"",outcome=""hit""\} [1-9]", ownerText);
        Assert.Matches(@"k8scache_get_duration_seconds_count\{group=""scores"",outcome=""not_found""\} [1-9]", ownerText);
        Assert.Matches(@"k8scache_load_duration_seconds_count\{group=""scores"",outcome=""found""\} [1-9]", ownerText);
        // Every node agrees on the ring: one fingerprint.
        Assert.Equal(Fingerprint(askedText), Fingerprint(ownerText));
    }

    private static string Fingerprint(string metrics) =>
        System.Text.RegularExpressions.Regex.Match(metrics, @"k8scache_ring_fingerprint (\d+)").Groups[1].Value;

    /// <summary>Reads every key from every node until hot copies exist (1 in 10 peer fetches keeps one; 600 tries
    /// make "none at all" a 0.9^600 event), so the write that follows must invalidate them.</summary>
    private async Task WarmEverywhereAsync(string group, string[] keys)
    {
        var hot = 0;
        for (var round = 0; round < 15; round++)
        {
            foreach (var key in keys)
            {
                foreach (var node in Cluster.Nodes)
                {
                    hot += (await Cluster.GetAsync(node, group, key)).Source == "hot" ? 1 : 0;
                }
            }
        }

        Assert.True(hot > 0, "no hot copy was kept, so the write would not exercise invalidation");
    }
}
