using System.Diagnostics;
using System.Net;
using System.Text.Json;
using K8sCache.Sidecar.Tests.Fixtures;
using Xunit.Abstractions;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>
/// The consistency and failure model of docs/design.md §4, on three real processes, with the races forced: a load the
/// test holds open while it writes, nodes frozen with SIGSTOP (always resumed, even when a test fails).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsistencyClusterTests(ThreeNodeClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Delete_DuringASlowLoad_NoGetStartedAfterItReturnsTheOldValue()
    {
        var key = "versioned-delete";
        var held = await StartHeldLoadAsync(key);

        Cluster.Loader.OriginVersion = 2;
        using var delete = await Cluster.Http.DeleteAsync(Cluster.KeyUri(Cluster.Nodes[1], "scores", key));
        var after = RacingGets(key, perNode: 4);
        Cluster.Loader.ReleaseHeld();
        var answers = await Task.WhenAll(after).WaitAsync(TestTimeouts.Default);

        Assert.True(delete.IsSuccessStatusCode || delete.StatusCode == HttpStatusCode.NotFound, $"delete answered {delete.StatusCode}");
        var stale = answers.Count(a => a != "v2");
        output.WriteLine($"stale reads after Delete: {stale} of {answers.Length}; the held load answered {await held.WaitAsync(TestTimeouts.Default)}");
        Assert.Equal(0, stale);
        Assert.All(await Task.WhenAll(RacingGets(key, perNode: 1)), a => Assert.Equal("v2", a));
    }

    [Fact]
    public async Task Put_DuringASlowLoad_NoGetStartedAfterItReturnsTheOlderValue()
    {
        var key = "versioned-put";
        var held = await StartHeldLoadAsync(key);

        Cluster.Loader.OriginVersion = 2;
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Cluster.Nodes[2], "scores", key), new StringContent("written"));
        var after = RacingGets(key, perNode: 4);
        Cluster.Loader.ReleaseHeld();
        var answers = await Task.WhenAll(after).WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        var stale = answers.Count(a => a != "written");
        output.WriteLine($"stale reads after PUT: {stale} of {answers.Length}; the held load answered {await held.WaitAsync(TestTimeouts.Default)}");
        Assert.Equal(0, stale);
        Assert.All(await Task.WhenAll(RacingGets(key, perNode: 1)), a => Assert.Equal("written", a));
    }

    [Fact]
    public async Task Put_WithAFrozenBystander_Succeeds_AndTheBystanderNeverServesTheOldCopy()
    {
        var (writer, owner, bystander) = (Cluster.Nodes[0], Cluster.Nodes[1], Cluster.Nodes[2]);
        var key = Cluster.KeyOwnedBy(owner, "bystander");
        using (var first = await Cluster.Http.PutAsync(Cluster.KeyUri(writer, "kv", key), new StringContent("old")))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        // Read it often from the bystander, so it very likely keeps a hot copy (1 fetch in 10 does).
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal("old", (await Cluster.GetAsync(bystander, "kv", key)).Body);
        }

        HttpResponseMessage put;
        var watch = Stopwatch.StartNew();
        await bystander.Process.FreezeAsync();
        try
        {
            put = await Cluster.Http.PutAsync(Cluster.KeyUri(writer, "kv", key), new StringContent("new"));
            watch.Stop();
        }
        finally
        {
            await bystander.Process.ResumeAsync();
        }

        using (put)
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
            Assert.Contains(bystander.PeerAddress, put.Headers.GetValues("X-Unreachable-Peers").Single(), StringComparison.Ordinal);
        }

        output.WriteLine($"PUT with a frozen bystander: 204 after {watch.ElapsedMilliseconds} ms");
        Assert.Equal("new", (await Cluster.GetAsync(bystander, "kv", key)).Body);
        await WaitUntilNoPeerIsDownAsync();
    }

    [Fact]
    public async Task FrozenOwner_IsMarkedDown_ThenItsKeysLoadLocallyWithoutWaiting_AndItComesBack()
    {
        var (reader, frozen) = (Cluster.Nodes[0], Cluster.Nodes[1]);
        var keys = Enumerable.Range(0, 400).Select(i => $"frozen-owner-{i}").Where(k => Cluster.Owner(k) == frozen.PeerAddress).Take(30).ToArray();
        var before = await Cluster.GroupStatsAsync(reader, "scores");
        var watch = Stopwatch.StartNew();
        string[] sources;
        long markedDownAfterMs;
        await frozen.Process.FreezeAsync();
        try
        {
            await WaitForAsync(reader, stats => stats.GetProperty("ring").GetProperty("peersDown").GetInt32() == 1, "the frozen owner to be marked down");
            markedDownAfterMs = watch.ElapsedMilliseconds;
            sources = await Task.WhenAll(keys.Select(async k => (await Cluster.GetAsync(reader, "scores", k)).Source ?? "none"));
        }
        finally
        {
            await frozen.Process.ResumeAsync();
        }

        var after = await Cluster.GroupStatsAsync(reader, "scores");
        Assert.All(sources, s => Assert.Equal("load", s));
        Assert.All(keys, k => Assert.Equal(1, Cluster.Loader.CallsFor(k)));
        Assert.Equal(keys.Length, after.GetProperty("ownerDownLoads").GetInt64() - before.GetProperty("ownerDownLoads").GetInt64());
        Assert.Equal(0, after.GetProperty("peerErrors").GetInt64() - before.GetProperty("peerErrors").GetInt64());
        output.WriteLine($"owner marked down {markedDownAfterMs} ms after SIGSTOP; then {keys.Length} Gets of its keys paid no timeout");
        await WaitUntilNoPeerIsDownAsync();
    }

    [Fact]
    public async Task Keys_NeverAppearInLogsAtInformationOrAbove()
    {
        var key = "fail-secret-customer-4711";
        var owner = Cluster.Nodes.Single(n => n.PeerAddress == Cluster.Owner(key));

        var failed = await Cluster.GetAsync(Cluster.Nodes.First(n => n != owner), "scores", key);
        var loaded = await Cluster.GetAsync(owner, "scores", "secret-customer-4712");

        Assert.Equal((HttpStatusCode.BadGateway, HttpStatusCode.OK), (failed.Status, loaded.Status));
        Assert.All(Cluster.Nodes, node => Assert.DoesNotContain("secret-customer-471", node.Logs, StringComparison.Ordinal));
    }

    /// <summary>Starts a Get whose load reads version 1 and is held at the loader; returns it, still running.</summary>
    private async Task<Task<string>> StartHeldLoadAsync(string key)
    {
        Cluster.Loader.OriginVersion = 1;
        Cluster.Loader.Hold(1);
        var first = BodyAsync(Cluster.Nodes[0], key);
        await Cluster.Loader.LoadHeld.WaitAsync(TestTimeouts.Default);
        Cluster.Loader.HoldVersion = null;
        return first;
    }

    private async Task<string> BodyAsync(SidecarNode node, string key) => (await Cluster.GetAsync(node, "scores", key)).Body;

    /// <summary>Gets started only now, from every node at once.</summary>
    private List<Task<string>> RacingGets(string key, int perNode) =>
        Cluster.Nodes.SelectMany(node => Enumerable.Range(0, perNode).Select(_ => BodyAsync(node, key))).ToList();


    private async Task WaitUntilNoPeerIsDownAsync()
    {
        foreach (var node in Cluster.Nodes)
        {
            await WaitForAsync(node, stats => stats.GetProperty("ring").GetProperty("peersDown").GetInt32() == 0, "every peer to be up again");
        }
    }

    /// <summary>Polls a node's /v1/stats until <paramref name="condition"/> holds (bounded; what follows is asserted).</summary>
    private async Task WaitForAsync(SidecarNode node, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            using var stats = JsonDocument.Parse(await Cluster.Http.GetStringAsync(new Uri(node.ApiUri, "/v1/stats")));
            if (condition(stats.RootElement))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{node.Ip} never saw {what}\n{node.Logs}");
    }
}
