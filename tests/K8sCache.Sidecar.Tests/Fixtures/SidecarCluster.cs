using System.Net;
using System.Text.Json;
using K8sCache.Sidecar.Hashing;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>
/// N sidecar processes on a loopback /24 of their own (127.A.B.1, .2, …, chosen at random so parallel runs never meet),
/// with static discovery, a shared peer token, and a loader in the test process. Waits until every node is ready.
/// Disposing kills exactly the processes it started and deletes its files, whatever the test did.
/// </summary>
public sealed class SidecarCluster : IAsyncDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("k8scache-cluster-").FullName;

    private SidecarCluster(TestLoaderServer loader, string network)
    {
        Loader = loader;
        Network = network;
        TokenFile = Path.Combine(_directory, "peer-token");
        File.WriteAllText(TokenFile, Convert.ToHexString(Guid.NewGuid().ToByteArray()) + "-test-token");
    }

    public TestLoaderServer Loader { get; }

    /// <summary>The first three octets of the nodes' addresses.</summary>
    public string Network { get; }

    public string TokenFile { get; }

    public string Directory => _directory;

    public List<SidecarNode> Nodes { get; } = [];

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeouts.Default };

    public static string RandomNetwork() => $"127.{Random.Shared.Next(2, 250)}.{Random.Shared.Next(1, 250)}";

    /// <summary>A cluster with its loader, token and network, and no nodes yet: add them with <see cref="StartNode"/>.</summary>
    public static async Task<SidecarCluster> CreateAsync() => new(await TestLoaderServer.StartAsync(), RandomNetwork());

    /// <summary>Starts <paramref name="nodes"/> nodes with static discovery of each other, each first passed to
    /// <paramref name="configure"/> with its index, and waits until all are ready and see each other up.</summary>
    public static async Task<SidecarCluster> StartAsync(int nodes, Action<int, SidecarNode>? configure = null)
    {
        var cluster = await CreateAsync();
        try
        {
            var addresses = Enumerable.Range(1, nodes).Select(i => $"{cluster.Network}.{i}:7070").ToArray();
            for (var i = 1; i <= nodes; i++)
            {
                var index = i - 1;
                cluster.StartNode(i, "static:///" + string.Join(',', addresses), configure: configure is null ? null : node => configure(index, node));
            }

            // Every node knows every member at once, before the others listen: the first pings may fail and mark a
            // peer down until one succeeds. Tests start from a whole cluster.
            foreach (var node in cluster.Nodes)
            {
                await cluster.WaitForMembersAsync(node, addresses);
                await cluster.WaitForPeersUpAsync(node);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node at <c>Network.host</c> with <paramref name="discovery"/>; <paramref name="wrapCommand"/>
    /// may run it inside another command (a mount namespace with its own resolv.conf).</summary>
    public SidecarNode StartNode(int host, string discovery, Func<string, IReadOnlyList<string>>? wrapCommand = null, Action<SidecarNode>? configure = null)
    {
        var node = new SidecarNode($"{Network}.{host}", _directory, wrapCommand);
        configure?.Invoke(node);
        Nodes.Add(node);
        node.WriteConfig(discovery, TokenFile, Loader.UrlTemplate);
        node.Start();
        return node;
    }

    /// <summary>Starts a node at an address of the test's choosing (<c>::1</c>) on ports from <paramref name="peerPort"/>.</summary>
    public SidecarNode StartNodeAt(string ip, int peerPort, string discovery)
    {
        var node = new SidecarNode(ip, _directory, peerPort: peerPort);
        Nodes.Add(node);
        node.WriteConfig(discovery, TokenFile, Loader.UrlTemplate);
        node.Start();
        return node;
    }

    /// <summary>The member that owns <paramref name="key"/> on the ring of the nodes started (every node's ring once
    /// they see each other).</summary>
    public string Owner(string key) => HashRing.Create(Nodes.Select(n => n.PeerAddress), 1).Owner(key)!;

    /// <summary>The first of <c>PREFIX-0</c>, <c>PREFIX-1</c>, … that <paramref name="node"/> owns.</summary>
    public string KeyOwnedBy(SidecarNode node, string prefix)
    {
        var ring = HashRing.Create(Nodes.Select(n => n.PeerAddress), 1);
        return Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(k => ring.Owner(k) == node.PeerAddress);
    }

    public string StaticDiscovery(IEnumerable<SidecarNode> members) => "static:///" + string.Join(',', members.Select(m => m.PeerAddress));

    public Uri KeyUri(SidecarNode node, string group, string key, string query = "") =>
        new(node.ApiUri, $"/v1/groups/{group}/keys/{Uri.EscapeDataString(key)}{query}");

    /// <summary>Polls the node's /v1/stats until no peer is marked down: a member whose record appeared before its process
    /// listened may have failed this node's pings, and keys it owns load locally until a ping succeeds (bounded; the
    /// test asserts what follows).</summary>
    public async Task WaitForPeersUpAsync(SidecarNode node)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        var last = -1;
        while (DateTime.UtcNow < deadline)
        {
            using var stats = JsonDocument.Parse(await Http.GetStringAsync(new Uri(node.ApiUri, "/v1/stats")));
            last = stats.RootElement.GetProperty("ring").GetProperty("peersDown").GetInt32();
            if (last == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{node.Ip} still had {last} peers marked down\n{node.Logs}");
    }

    /// <summary>Polls the node's /v1/stats until its ring holds exactly <paramref name="members"/> (bounded; never a
    /// pass condition by itself: the test asserts what follows).</summary>
    public async Task WaitForMembersAsync(SidecarNode node, IEnumerable<string> members)
    {
        var expected = members.Order(StringComparer.Ordinal).ToArray();
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        string last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            if (node.Process.HasExited)
            {
                throw new InvalidOperationException($"{node.Ip} exited with {node.Process.WaitForExitAsync(TimeSpan.FromSeconds(1)).Result}:\n{node.Logs}");
            }

            try
            {
                using var stats = JsonDocument.Parse(await Http.GetStringAsync(new Uri(node.ApiUri, "/v1/stats")));
                var actual = stats.RootElement.GetProperty("ring").GetProperty("members").EnumerateArray().Select(m => m.GetString()!).ToArray();
                last = string.Join(",", actual);
                if (stats.RootElement.GetProperty("ready").GetBoolean() && actual.SequenceEqual(expected))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{node.Ip} never saw members {string.Join(",", expected)}; last: {last}\n{node.Logs}");
    }

    public async Task<JsonElement> GroupStatsAsync(SidecarNode node, string group)
    {
        using var stats = JsonDocument.Parse(await Http.GetStringAsync(new Uri(node.ApiUri, "/v1/stats")));
        return stats.RootElement.GetProperty("groups").GetProperty(group).Clone();
    }

    public async Task<(HttpStatusCode Status, string Body, string? Source)> GetAsync(SidecarNode node, string group, string key)
    {
        using var response = await Http.GetAsync(KeyUri(node, group, key));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("X-Cache", out var v) ? v.Single() : null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }

        Http.Dispose();
        await Loader.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
