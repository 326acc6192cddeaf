using System.Net;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>Nodes whose addresses are IPv6 (<c>[::1]:port</c>): bracketed members, peer calls and binds work as with IPv4.</summary>
[Collection(ClusterCollection.Name)]
public sealed class Ipv6ClusterTests
{
    [Fact]
    public async Task TwoNodesOnIpv6Loopback_FormARing_LoadOnce_AndSeeEachOthersWrites()
    {
        await using var cluster = await SidecarCluster.CreateAsync();
        var ports = Random.Shared.Next(200, 300) * 100;
        var members = $"static:///[::1]:{ports},[::1]:{ports + 100}";
        var a = cluster.StartNodeAt("::1", ports, members);
        var b = cluster.StartNodeAt("::1", ports + 100, members);
        foreach (var node in cluster.Nodes)
        {
            await cluster.WaitForMembersAsync(node, [a.PeerAddress, b.PeerAddress]);
            // B is a member before it listens: A's first pings may fail and mark it down until one succeeds.
            await cluster.WaitForPeersUpAsync(node);
        }

        var fromA = await cluster.GetAsync(a, "scores", "v6-key");
        var fromB = await cluster.GetAsync(b, "scores", "v6-key");
        using var put = await cluster.Http.PutAsync(cluster.KeyUri(a, "kv", "v6-written"), new StringContent("over v6"));

        Assert.Equal((HttpStatusCode.OK, "value-of-v6-key"), (fromA.Status, fromA.Body));
        Assert.Equal((HttpStatusCode.OK, "value-of-v6-key"), (fromB.Status, fromB.Body));
        Assert.Equal(1, cluster.Loader.CallsFor("v6-key"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("over v6", (await cluster.GetAsync(b, "kv", "v6-written")).Body);
    }
}
