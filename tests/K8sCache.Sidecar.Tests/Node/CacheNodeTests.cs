using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Sidecar.Tests.Node;

public sealed class CacheNodeTests
{
    [Fact]
    public async Task AReconfiguration_KeepsAGroupsEntries_UnlessItsEvictionPolicyChanged()
    {
        var options = new SidecarOptions
        {
            Self = "127.0.0.1:7070",
            Discovery = "static:///127.0.0.1:7070",
            PeerTokenFile = "/dev/null",
            Groups = [new GroupOptions { Name = "a" }, new GroupOptions { Name = "b" }],
        };
        using var peers = new PeerSet(options.Self, new PeerClientSettings("token-token-token-token", TimeSpan.FromSeconds(2), 1 << 20, 3, TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger.Instance);
        peers.UpdateMembers([options.Self]);
        using var node = new CacheNode(options, peers, static (_, _) => null, TimeProvider.System, NullLogger.Instance);
        await node.GetGroup("a").ApplySetAsync("k", [1], 0);
        await node.GetGroup("b").ApplySetAsync("k", [2], 0);
        var before = node.GetGroup("b");

        node.Reconfigure(options with { Groups = [new GroupOptions { Name = "a", MaxBytes = 1 << 20 }, new GroupOptions { Name = "b", Eviction = EvictionPolicy.Lru }] });

        Assert.IsType<S3FifoCacheStore>(node.GetGroup("a").Main);
        Assert.True(node.GetGroup("a").Main.TryGet("k", 0, out _));
        Assert.IsType<LruCacheStore>(node.GetGroup("b").Main);
        Assert.False(node.GetGroup("b").Main.TryGet("k", 0, out _));
        Assert.NotSame(before, node.GetGroup("b"));
    }
}
