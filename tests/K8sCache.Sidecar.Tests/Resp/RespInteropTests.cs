using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>Real Redis clients, unchanged, against a three-node cluster's Redis endpoints: redis-cli and
/// redis-benchmark (Debian's redis-tools), redis-py (Debian's python3-redis), node-redis over RESP3 and ioredis.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RespInteropTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task RedisPy_RunsItsCommands_PipelinesBinaryValuesAndErrors()
    {
        var (exit, output) = await RunAsync("/usr/bin/python3", RepositoryPaths.Interop("python"), "redis_client.py", Cluster.Nodes[0].Ip, Cluster.Nodes[0].RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Contains("redis-py: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisPy_RunsCountersHashesTransactionsScanAndPubSub_AcrossTwoNodes()
    {
        var (a, b) = (Cluster.Nodes[0], Cluster.Nodes[2]);
        var (exit, output) = await RunAsync("/usr/bin/python3", RepositoryPaths.Interop("python"), "redis_compat.py", a.Ip,
            a.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture), b.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Ip);

        Assert.True(exit == 0, output);
        Assert.Contains("redis-py compat: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRedisOverResp3_AndIoredis_RunTheirCommands_AndPubSubAcrossNodes()
    {
        var (exit, output) = await RunAsync("node", RepositoryPaths.Interop("node"), "redis_client.js", Cluster.Nodes[1].Ip,
            Cluster.Nodes[1].RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Cluster.Nodes[2].Ip, Cluster.Nodes[2].RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Contains("node-redis (RESP3) and ioredis, pub/sub included: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisCli_WritesOnOneNode_ReadsOnEvery_AndSpeaksResp3()
    {
        var set = await CliAsync(Cluster.Nodes[0], "SET", "kv:cli-key", "from-node-1");
        var reads = await Task.WhenAll(Cluster.Nodes.Select(n => CliAsync(n, "GET", "kv:cli-key")));
        var hello = await CliAsync(Cluster.Nodes[2], "-3", "HELLO", "3");
        var error = await CliAsync(Cluster.Nodes[2], "GET", "nogroup");

        Assert.Equal("OK", set.Trim());
        Assert.All(reads, r => Assert.Equal("from-node-1", r.Trim()));
        Assert.Contains("proto", hello, StringComparison.Ordinal);
        Assert.Contains("3", hello, StringComparison.Ordinal);
        Assert.Contains("names no group", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisBenchmark_RunsItsPipelinedGetsAndSets_WithoutErrors()
    {
        var node = Cluster.Nodes[0];
        var (exit, output) = await RunAsync("redis-benchmark", Cluster.Directory, "-h", node.Ip, "-p", node.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-n", "2000", "-c", "10", "-P", "8", "-r", "100", "-q", "SET", "kv:bench:__rand_int__", "value");
        (var exit2, var output2) = await RunAsync("redis-benchmark", Cluster.Directory, "-h", node.Ip, "-p", node.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-n", "2000", "-c", "10", "-P", "8", "-r", "100", "-q", "GET", "kv:bench:__rand_int__");

        Assert.True(exit == 0 && exit2 == 0, output + output2);
        Assert.DoesNotContain("rror", output + output2, StringComparison.Ordinal);
        Assert.Contains("requests per second", output2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AColdKey_AskedOverRespFromEveryNodeAtOnce_IsLoadedOnce()
    {
        const string key = "resp-cold";
        var clients = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => RespTestClient.ConnectAsync(Cluster.Nodes[i % 3].Ip, Cluster.Nodes[i % 3].RespPort)));
        try
        {
            var answers = await Task.WhenAll(clients.Select(c => c.CallAsync("GET", "scores:" + key)));

            Assert.All(answers, a => Assert.Equal("value-of-" + key, a));
            Assert.Equal(1, Cluster.Loader.CallsFor(key));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task SetNx_RacingFromEveryNode_StoresExactlyOnce()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => RespTestClient.ConnectAsync(Cluster.Nodes[i % 3].Ip, Cluster.Nodes[i % 3].RespPort)));
        try
        {
            var answers = await Task.WhenAll(clients.Select((c, i) => c.CallAsync("SET", "kv:nx-race", $"writer-{i}", "NX")));
            var stored = await clients[0].CallAsync("GET", "kv:nx-race");

            var winners = answers.Select((a, i) => (a, i)).Where(x => (string?)x.a == "+OK").ToArray();
            Assert.Single(winners);
            Assert.Equal($"writer-{winners[0].i}", stored);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private Task<string> CliAsync(SidecarNode node, params string[] args) =>
        RunAsync("redis-cli", Cluster.Directory, ["-h", node.Ip, "-p", node.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]).ContinueWith(t => t.Result.Output, TaskScheduler.Default);

    private static async Task<(int Exit, string Output)> RunAsync(string tool, string directory, params string[] args)
    {
        using var process = ChildProcess.Start(tool, directory, args, captureOutput: true);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.StandardOutput + process.StandardError);
    }
}
