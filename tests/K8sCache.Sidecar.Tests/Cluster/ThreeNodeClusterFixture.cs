using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>One three-node cluster shared by the tests of a class; each test uses keys of its own.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    public SidecarCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SidecarCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
