using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Runtime;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Runtime;

public sealed class InformerTests : ApiServerTest
{
    [Fact]
    public async Task ListsThenWatches_SeesAddsAndChanges_AndRelistsAfter410Gone()
    {
        await Env.CreateAsync(ResourceType.ConfigMaps, "ns1", ConfigMap("before"));
        var seen = new ConcurrentQueue<string>();
        var informer = new Informer(Client, ResourceType.ConfigMaps, "ns1", null,
            o => seen.Enqueue($"{o["metadata"]!["name"]}:{o["data"]?["v"]}"), TimeProvider.System, NullLogger.Instance)
        { WatchTimeout = TimeSpan.FromSeconds(2) };
        using var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        try
        {
            await informer.Synced.WaitAsync(TestTimeouts.Default);
            await Env.CreateAsync(ResourceType.ConfigMaps, "ns1", ConfigMap("after"));
            await Poll.UntilAsync(() => seen.Contains("after:1"));

            // The server forgets the history the watch would resume from: the next watch gets 410 Gone and relists.
            Env.Server.Store.RestartWatchCache();
            await Env.CreateAsync(ResourceType.ConfigMaps, "ns1", ConfigMap("compacted"));
            await Poll.UntilAsync(() => seen.Contains("compacted:1") && informer.Relists > 0);

            Assert.Contains("before:1", seen);
            Assert.Contains("after:1", seen);
            Assert.Contains("compacted:1", seen);
            Assert.True(informer.Relists >= 1);
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public async Task Watch_FromACompactedVersion_ThrowsGone()
    {
        await Env.CreateAsync(ResourceType.ConfigMaps, "ns1", ConfigMap("x"));
        Env.Server.Store.RestartWatchCache();
        await Env.CreateAsync(ResourceType.ConfigMaps, "ns1", ConfigMap("y"));

        var e = await Assert.ThrowsAsync<ClusterApiException>(async () =>
        {
            await foreach (var _ in Client.WatchAsync(ResourceType.ConfigMaps, "ns1", "1", null, TimeSpan.FromSeconds(5), CancellationToken.None))
            {
            }
        });

        Assert.True(e.IsGone);
    }

    [Fact]
    public async Task Watch_WithBookmarks_ReportsTheCurrentVersion()
    {
        Env.Server.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        var list = await Client.ListAsync(ResourceType.ConfigMaps, "ns1", null, CancellationToken.None);

        await foreach (var change in Client.WatchAsync(ResourceType.ConfigMaps, "ns1", list.ResourceVersion, null, TimeSpan.FromSeconds(5), CancellationToken.None))
        {
            Assert.Equal("BOOKMARK", change.Type);
            Assert.False(string.IsNullOrEmpty(change.ResourceVersion));
            break;
        }
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["v"] = "1" },
    };
}
