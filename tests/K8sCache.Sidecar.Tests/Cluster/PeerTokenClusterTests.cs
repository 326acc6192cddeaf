using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>The peer token changes under running nodes, as when the operator replaces a deleted Secret and the kubelet
/// rewrites the mounted file: the nodes pick it up without a restart, call each other with it, and still accept the
/// previous one while pods roll.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PeerTokenClusterTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ARewrittenTokenFile_IsUsed_AndThePreviousTokenStillAccepted()
    {
        var old = (await File.ReadAllTextAsync(Cluster.TokenFile)).Trim();
        var next = "rotated-" + Convert.ToHexString(Guid.NewGuid().ToByteArray());

        var temp = Cluster.TokenFile + ".tmp";
        await File.WriteAllTextAsync(temp, next);
        File.Move(temp, Cluster.TokenFile, overwrite: true);
        foreach (var node in Cluster.Nodes)
        {
            await node.WaitForLogAsync("The peer token in");
        }

        var node0 = Cluster.Nodes[0];
        var withNew = await PeerGetAsync(node0, next);
        var withOld = await PeerGetAsync(node0, old);
        var guessed = await PeerGetAsync(node0, "guessed-0123456789abcdef");
        var key = Cluster.KeyOwnedBy(Cluster.Nodes[1], "rotation");
        var before = await Cluster.GroupStatsAsync(node0, "scores");
        var (status, _, source) = await Cluster.GetAsync(node0, "scores", key);
        var after = await Cluster.GroupStatsAsync(node0, "scores");

        Assert.Equal((StatusCode.OK, StatusCode.OK, StatusCode.Unauthenticated), (withNew, withOld, guessed));
        // A peer fetch with the new token, not a local load after a refused call.
        Assert.Equal((HttpStatusCode.OK, "peer"), (status, source));
        Assert.Equal(0, after.GetProperty("peerErrors").GetInt64() - before.GetProperty("peerErrors").GetInt64());
    }

    private static async Task<StatusCode> PeerGetAsync(SidecarNode node, string token)
    {
        using var channel = GrpcChannel.ForAddress("http://" + node.PeerAddress);
        try
        {
            await new Peer.PeerClient(channel).GetAsync(new PeerGetRequest { Group = "kv", Key = "any" }, new Metadata { { "authorization", "Bearer " + token } });
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
