using System.Net;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>
/// A rolling restart of one node of three, as processes: on SIGTERM it hands its entries to their next owners; when it
/// comes back the others hand its keys back (and it asks them for what has not arrived yet). Neither step sends a key
/// to the origin again.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HandOverClusterTests : IAsyncLifetime
{
    private SidecarCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SidecarCluster.StartAsync(3);
        _cluster.Loader.Delay = TimeSpan.Zero;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ALeavingNodeHandsItsEntriesOver_AndGetsThemBackWhenItReturns_WithoutAnotherOriginLoad()
    {
        var keys = Enumerable.Range(0, 300).Select(i => $"handover-{i}").ToArray();
        var (first, second, leaving) = (_cluster.Nodes[0], _cluster.Nodes[1], _cluster.Nodes[2]);
        await ReadAllAsync(first, keys);
        var loads = _cluster.Loader.TotalCalls;
        // Seen once under the whole suite's load: 305 loads for 300 cold keys. The nodes' logs say which path loaded twice.
        Assert.True(loads == keys.Length, $"{loads} loads for {keys.Length} cold keys; logs:\n" + string.Join("\n", _cluster.Nodes.Select(n => n.Logs)));

        await leaving.Process.TerminateAsync();
        await leaving.Process.WaitForExitAsync(TestTimeouts.Default);
        var leaveLog = leaving.Logs;
        await ChangeMembersAsync([first, second]);
        await ReadAllAsync(first, keys);
        var afterLeave = _cluster.Loader.TotalCalls;

        leaving.WriteConfig(_cluster.StaticDiscovery(_cluster.Nodes), _cluster.TokenFile, _cluster.Loader.UrlTemplate);
        leaving.Start();
        await ChangeMembersAsync(_cluster.Nodes);
        await ReadAllAsync(leaving, keys);
        await ReadAllAsync(first, keys);

        Assert.Contains("handed over", leaveLog, StringComparison.Ordinal);
        Assert.Equal(loads, afterLeave);
        Assert.Equal(loads, _cluster.Loader.TotalCalls);
    }

    private async Task ChangeMembersAsync(IReadOnlyList<SidecarNode> members)
    {
        foreach (var node in members)
        {
            node.WriteConfig(_cluster.StaticDiscovery(members), _cluster.TokenFile, _cluster.Loader.UrlTemplate);
        }

        foreach (var node in members)
        {
            await _cluster.WaitForMembersAsync(node, members.Select(m => m.PeerAddress));
        }
    }

    private async Task ReadAllAsync(SidecarNode node, string[] keys)
    {
        foreach (var chunk in keys.Chunk(30))
        {
            var reads = await Task.WhenAll(chunk.Select(k => _cluster.GetAsync(node, "scores", k)));
            Assert.All(reads, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        }
    }
}
