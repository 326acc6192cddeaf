using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Tests.Fixtures;
using StackExchange.Redis;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>A batch Get across owners costs one peer call per owner, whichever endpoint the application uses.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class BatchGetClusterTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task RedisMget_OfColdKeysOwnedByTheTwoOthers_IsOnePeerCallPerOwner_AndOneLoadPerKeyOnItsOwner()
    {
        var asked = Cluster.Nodes[0];
        var keys = Enumerable.Range(0, 60).Select(i => $"mget-{i}").Where(k => Cluster.Owner(k) != asked.PeerAddress).Take(24).ToArray();
        Assert.Equal(2, keys.Select(Cluster.Owner).Distinct().Count());
        var before = await PeerCallsAsync(asked);

        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{asked.Ip}:{asked.RespPort},abortConnect=false,connectTimeout=10000,syncTimeout=10000");
        var values = await redis.GetDatabase().StringGetAsync(keys.Select(k => (RedisKey)("scores:" + k)).ToArray());

        var after = await PeerCallsAsync(asked);
        Assert.Equal(keys.Select(k => "value-of-" + k), values.Select(v => (string?)v));
        Assert.Equal((before.GetMany + 2, before.Get), (after.GetMany, after.Get));
        Assert.All(keys, k => Assert.Equal(1, Cluster.Loader.CallsFor(k)));
        Assert.All(keys, k => Assert.Equal($"k8scache-sidecar ({Cluster.Owner(k)})", Cluster.Loader.UserAgentFor(k)));
    }

    [Fact]
    public async Task GrpcGetMany_ReportsAFailedLoadOnTheOwnerInItsOwnItem_WithoutLoadingItAgain()
    {
        var asked = Cluster.Nodes[1];
        var owner = Cluster.Nodes[2];
        var good = Enumerable.Range(0, 40).Select(i => $"many-ok-{i}").Where(k => Cluster.Owner(k) == owner.PeerAddress).Take(5).ToArray();
        var failing = Cluster.KeyOwnedBy(owner, "fail-many-remote");
        var missing = Cluster.KeyOwnedBy(owner, "missing-many-remote");
        var before = await PeerCallsAsync(asked);

        using var channel = GrpcChannel.ForAddress(asked.GrpcAddress);
        var items = new Dictionary<string, GetManyItem>();
        using (var many = new Cache.CacheClient(channel).GetMany(new GetManyRequest { Group = "scores", Keys = { good, failing, missing } }))
        {
            await foreach (var item in many.ResponseStream.ReadAllAsync())
            {
                items.Add(item.Key, item);
            }
        }

        var after = await PeerCallsAsync(asked);
        Assert.Equal((before.GetMany + 1, before.Get), (after.GetMany, after.Get));
        Assert.All(good, k => Assert.Equal(("value-of-" + k, CacheSource.Peer), (items[k].Value.ToStringUtf8(), items[k].Source)));
        Assert.Contains($"the owner {owner.PeerAddress} could not load the key", items[failing].Error, StringComparison.Ordinal);
        Assert.Equal(1, Cluster.Loader.CallsFor(failing));
        Assert.False(items[missing].Found);
        Assert.Empty(items[missing].Error);
    }

    /// <summary>The node's completed peer calls by method, from its Prometheus endpoint.</summary>
    private async Task<(long Get, long GetMany)> PeerCallsAsync(SidecarNode node)
    {
        var text = await Cluster.Http.GetStringAsync(new Uri(node.AdminUri, "/metrics"));
        return (Count(text, "Get"), Count(text, "GetMany"));
    }

    private static long Count(string metrics, string method) => PeerCallCount().Matches(metrics)
        .Where(m => m.Groups["method"].Value == method)
        .Sum(m => long.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^k8scache_peer_duration_seconds_count\{method=""(?<method>\w+)"",outcome=""\w+""\} (?<count>\d+)", RegexOptions.Multiline)]
    private static partial Regex PeerCallCount();
}
