using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>
/// A command that waits (a miss the loader fills) holds up its own connection only: the endpoint's one event-loop
/// thread serves every other client meanwhile, and the waiting connection's pipelined commands are answered in order
/// once the load returns. The load is held by the test's loader until the test releases it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RespWaitingCommandTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task AMissWaitingForTheLoader_HoldsUpItsConnectionOnly_AndItsPipelineIsAnsweredInOrder()
    {
        var node = Cluster.Nodes[0];
        var version = Cluster.Loader.OriginVersion;
        Cluster.Loader.Hold(version);
        try
        {
            using var waiting = await RespTestClient.ConnectAsync(node.Ip, node.RespPort);
            using var other = await RespTestClient.ConnectAsync(node.Ip, node.RespPort);
            await waiting.SendAsync([.. RespTestClient.Command("GET", "scores:versioned-waiting"), .. RespTestClient.Command("PING")]);
            await Cluster.Loader.LoadHeld.WaitAsync(TestTimeouts.Default);

            Assert.Equal("+OK", await other.CallAsync("SET", "scores:served-meanwhile", "yes"));
            Assert.Equal("yes", await other.CallAsync("GET", "scores:served-meanwhile"));
            Assert.Equal("+PONG", await other.CallAsync("PING"));

            Cluster.Loader.ReleaseHeld();
            Assert.Equal("v" + version, waiting.Read());
            Assert.Equal("+PONG", waiting.Read());
        }
        finally
        {
            Cluster.Loader.HoldVersion = null;
            Cluster.Loader.ReleaseHeld();
        }
    }
}
