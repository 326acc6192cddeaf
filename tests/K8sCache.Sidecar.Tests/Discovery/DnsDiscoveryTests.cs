using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Discovery;

/// <summary>
/// <c>dns:///</c> discovery against a real DNS server: Debian's dnsmasq serves the headless Service's name from a hosts
/// directory it watches, and every sidecar runs in a mount namespace whose /etc/resolv.conf points at it — the system
/// resolver path a pod uses, with no test hook in the product. Needs root (mount namespaces, port 53), as CI has.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DnsDiscoveryTests : IAsyncLifetime
{
    private const string Name = "cache-peers.k8scache.test";
    private SidecarCluster _cluster = null!;
    private ChildProcess? _dnsmasq;
    private string _hostsDir = null!;
    private string _resolvConf = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/sbin/dnsmasq"))
        {
            throw new InvalidOperationException("/usr/sbin/dnsmasq is missing: run scripts/install-test-deps.sh.");
        }

        _cluster = await SidecarCluster.CreateAsync();
        _hostsDir = Directory.CreateDirectory(Path.Combine(_cluster.Directory, "hosts")).FullName;
        _resolvConf = Path.Combine(_cluster.Directory, "resolv.conf");
        var dnsIp = $"{_cluster.Network}.53";
        await File.WriteAllTextAsync(_resolvConf, $"nameserver {dnsIp}\noptions timeout:1 attempts:2\n");
        WriteRecords();
        _dnsmasq = ChildProcess.Start("/usr/sbin/dnsmasq", _cluster.Directory,
            ["--keep-in-foreground", "--no-resolv", "--no-hosts", $"--listen-address={dnsIp}", "--bind-interfaces", "--port=53",
             $"--hostsdir={_hostsDir}", "--local=/k8scache.test/", "--pid-file=", "--user=root", "--log-facility=-"], captureOutput: true);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _dnsmasq?.Dispose();
    }

    [Fact]
    public async Task AddingAndRemovingARecords_ChangesRingMembership()
    {
        WriteRecords(1, 2);
        var one = StartNode(1);
        var two = StartNode(2);
        await _cluster.WaitForMembersAsync(one, [Peer(1), Peer(2)]);
        await _cluster.WaitForMembersAsync(two, [Peer(1), Peer(2)]);

        var three = StartNode(3);
        WriteRecords(1, 2, 3);
        foreach (var node in new[] { one, two, three })
        {
            await _cluster.WaitForMembersAsync(node, [Peer(1), Peer(2), Peer(3)]);
        }

        WriteRecords(1, 3);
        await _cluster.WaitForMembersAsync(one, [Peer(1), Peer(3)]);
        await _cluster.WaitForMembersAsync(three, [Peer(1), Peer(3)]);
        // Three's record appeared while it may still have been starting: pings that failed meanwhile mark it down.
        await _cluster.WaitForPeersUpAsync(one);
        await _cluster.WaitForPeersUpAsync(three);

        // The rebuilt ring serves: every key loads once and reads the same from both members.
        foreach (var key in Enumerable.Range(0, 10).Select(i => $"dns-{i}"))
        {
            Assert.Equal(HttpStatusCode.OK, (await _cluster.GetAsync(one, "scores", key)).Status);
            Assert.Equal(HttpStatusCode.OK, (await _cluster.GetAsync(three, "scores", key)).Status);
            Assert.Equal(1, _cluster.Loader.CallsFor(key));
        }
    }

    [Fact]
    public async Task NodeThatDnsDoesNotList_IsNotReady_AndRefusesWrites_UntilItsRecordAppears()
    {
        WriteRecords();
        var one = StartNode(1);
        await WaitUntilServingAsync(one);
        await WaitForRejectedAnswerAsync(one, string.Empty);
        var noSuchName = await StatusesAsync(one);
        using var channel = GrpcChannel.ForAddress(one.GrpcAddress);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Cache.CacheClient(channel).GetAsync(new GetRequest { Group = "kv", Key = "dns-write" }).ResponseAsync);

        WriteRecords(2);
        await WaitForRejectedAnswerAsync(one, Peer(2));
        var othersOnly = await StatusesAsync(one);

        WriteRecords(1);
        await _cluster.WaitForMembersAsync(one, [Peer(1)]);
        var listed = await StatusesAsync(one);

        // Alone in a ring it was not told about, the node would own every key and accept writes meant for others.
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), noSuchName);
        Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), othersOnly);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NoContent), listed);
    }

    /// <summary>/readyz, and a PUT through the HTTP API.</summary>
    private async Task<(HttpStatusCode Ready, HttpStatusCode Put)> StatusesAsync(SidecarNode node)
    {
        using var ready = await _cluster.Http.GetAsync(new Uri(node.AdminUri, "/readyz"));
        using var put = await _cluster.Http.PutAsync(_cluster.KeyUri(node, "kv", "dns-write"), new StringContent("x"));
        return (ready.StatusCode, put.StatusCode);
    }

    /// <summary>Waits until the node logs that it did not take the DNS answer <paramref name="members"/>: evidence
    /// that discovery ran on that answer, so what the test asserts next is not a race with it.</summary>
    private static Task WaitForRejectedAnswerAsync(SidecarNode node, string members) =>
        node.WaitForLogAsync($"answered [{members}] without this node");

    private async Task WaitUntilServingAsync(SidecarNode node)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var health = await _cluster.Http.GetAsync(new Uri(node.AdminUri, "/healthz"));
                if (health.IsSuccessStatusCode)
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

        throw new TimeoutException($"{node.Ip} never served /healthz\n{node.Logs}");
    }

    private SidecarNode StartNode(int host) => _cluster.StartNode(host, $"dns:///{Name}:7070", dll =>
        ["unshare", "--mount", "sh", "-c", $"mount --bind '{_resolvConf}' /etc/resolv.conf && exec dotnet \"$0\" \"$@\"", dll]);

    private string Peer(int host) => $"{_cluster.Network}.{host}:7070";

    /// <summary>Replaces the name's A records; written aside and renamed in so dnsmasq never reads half a file.</summary>
    private void WriteRecords(params int[] hosts)
    {
        var temp = Path.Combine(_cluster.Directory, "peers.tmp");
        File.WriteAllLines(temp, hosts.Select(h => $"{_cluster.Network}.{h} {Name}"));
        File.Move(temp, Path.Combine(_hostsDir, "peers"), overwrite: true);
    }
}
