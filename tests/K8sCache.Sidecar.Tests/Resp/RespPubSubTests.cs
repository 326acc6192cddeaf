using System.Net.Sockets;
using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>Pub/sub on a three-node cluster's Redis endpoints: cluster-wide delivery in publish order, Redis's
/// subscribed state, RESP3 pushes, slow subscribers, and the invalidation channels that keep applications' in-process
/// caches coherent.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RespPubSubTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private SidecarCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task APublishOnOneNode_ReachesTheSubscribersOfEveryNode_InPublishOrder()
    {
        using var onFirst = await SubscribeAsync(0, "SUBSCRIBE", "news");
        using var onThird = await SubscribeAsync(2, "SUBSCRIBE", "news");
        using var byPattern = await SubscribeAsync(1, "PSUBSCRIBE", "ne*");
        using var publisher = await ConnectAsync(1);

        // One pipeline of 200 publishes: each answers the subscribers of the publisher's own node (the pattern).
        await publisher.SendAsync([.. Enumerable.Range(0, 200).SelectMany(i => RespTestClient.Command("PUBLISH", "news", $"m{i}"))]);
        var counts = Enumerable.Range(0, 200).Select(_ => publisher.Read()).ToList();

        Assert.All(counts, c => Assert.Equal(1L, c));
        var expected = Enumerable.Range(0, 200).Select(i => $"m{i}").ToList();
        Assert.Equal(expected, Enumerable.Range(0, 200).Select(_ => Message(onFirst.Read())).ToList());
        Assert.Equal(expected, Enumerable.Range(0, 200).Select(_ => Message(onThird.Read())).ToList());
        var first = (List<object?>)byPattern.Read()!;
        Assert.Equal(["pmessage", "ne*", "news", "m0"], first);
    }

    [Fact]
    public async Task ARespTwoSubscriber_MayOnlySubscribePingAndLeave_UntilItHasNoSubscriptions()
    {
        using var client = await SubscribeAsync(0, "SUBSCRIBE", "a", "b");
        Assert.Equal(["subscribe", "b", 2L], (List<object?>)client.Read()!);

        Assert.Equal("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", await client.CallAsync("GET", "kv:x"));
        Assert.Equal(["pong", ""], (List<object?>)(await client.CallAsync("PING"))!);
        Assert.Equal(["unsubscribe", "a", 1L], (List<object?>)(await client.CallAsync("UNSUBSCRIBE"))!);
        Assert.Equal(["unsubscribe", "b", 0L], (List<object?>)client.Read()!);
        Assert.Equal(["unsubscribe", null, 0L], (List<object?>)(await client.CallAsync("UNSUBSCRIBE"))!);
        Assert.Equal("+PONG", await client.CallAsync("PING"));
        Assert.Null(await client.CallAsync("GET", "kv:pubsub-absent"));
    }

    [Fact]
    public async Task ARespThreeSubscriber_GetsPushes_AndMayRunAnyCommand()
    {
        using var client = await ConnectAsync(2);
        await client.CallAsync("HELLO", "3");
        Assert.Equal(["subscribe", "resp3", 1L], (List<object?>)(await client.CallAsync("SUBSCRIBE", "resp3"))!);
        Assert.Equal('>', client.LastAggregate);
        Assert.Equal("+OK", await client.CallAsync("SET", "kv:pubsub-resp3", "v"));
        using var publisher = await ConnectAsync(0);

        Assert.Equal(0L, await publisher.CallAsync("PUBLISH", "resp3", "pushed"));

        Assert.Equal(["message", "resp3", "pushed"], (List<object?>)client.Read()!);
        Assert.Equal('>', client.LastAggregate);
    }

    [Fact]
    public async Task PubSubIntrospection_ReportsThisNodesSubscriptions()
    {
        using var one = await SubscribeAsync(1, "SUBSCRIBE", "intro-a");
        using var two = await SubscribeAsync(1, "SUBSCRIBE", "intro-a");
        using var patterns = await SubscribeAsync(1, "PSUBSCRIBE", "intro-*");
        using var client = await ConnectAsync(1);

        Assert.Equal(["intro-a", 2L, "intro-none", 0L], (List<object?>)(await client.CallAsync("PUBSUB", "NUMSUB", "intro-a", "intro-none"))!);
        Assert.Equal(["intro-a"], (List<object?>)(await client.CallAsync("PUBSUB", "CHANNELS", "intro-*"))!);
        Assert.True((long)(await client.CallAsync("PUBSUB", "NUMPAT"))! >= 1);
        Assert.StartsWith("-ERR unknown subcommand", (string)(await client.CallAsync("PUBSUB", "BANANA"))!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASubscriberThatDoesNotRead_IsDisconnected_WhileThePublisherAndTheOtherSubscribersGoOn()
    {
        using var stalled = await SubscribeAsync(0, "SUBSCRIBE", "flood");
        using var reader = await SubscribeAsync(0, "SUBSCRIBE", "flood");
        using var publisher = await ConnectAsync(0);
        const int Messages = 96;
        var payload = new byte[1 << 20];
        // The publisher keeps at most 8 MiB ahead of the reading subscriber, whatever either's speed: the reader's
        // backlog never nears the 32 MiB limit, the stalled one's passes it.
        using var window = new SemaphoreSlim(8);
        var received = Task.Run(() => Enumerable.Range(0, Messages).Select(_ =>
        {
            var message = ((List<object?>)reader.Read()!)[2];
            window.Release();
            return message;
        }).Count());

        // 96 MiB for a subscriber whose backlog may hold 32 MiB: it is closed, and nobody waits for it.
        for (var i = 0; i < Messages; i++)
        {
            Assert.True(await window.WaitAsync(TestTimeouts.Default), "the reading subscriber stopped receiving");
            Assert.IsType<long>(await publisher.CallAsync("PUBLISH", "flood", payload));
        }

        Assert.Equal(Messages, await received.WaitAsync(TestTimeouts.Default));
        Assert.True(DrainsToClose(stalled), "the stalled subscriber is still connected");
        var metrics = await Cluster.Http.GetStringAsync(new Uri(Cluster.Nodes[0].AdminUri, "/metrics"));
        Assert.Matches(@"k8scache_pubsub_slow_subscribers_closed_total(\{\})? [1-9]", metrics);
    }

    [Fact]
    public async Task EveryChangeOfAKey_IsPublishedOnTheGroupsInvalidationChannel_OnEveryNode()
    {
        using var onFirst = await SubscribeAsync(0, "SUBSCRIBE", "__k8scache__:invalidate:kv");
        using var onThird = await SubscribeAsync(2, "SUBSCRIBE", "__k8scache__:invalidate:kv");
        using var writer = await ConnectAsync(1);

        await writer.CallAsync("SET", "kv:feed-set", "1");
        await writer.CallAsync("INCR", "kv:feed-counter");
        await writer.CallAsync("PEXPIRE", "kv:feed-set", "60000");
        await writer.CallAsync("DEL", "kv:feed-set");

        string[] expected = ["feed-set", "feed-counter", "feed-set", "feed-set"];
        Assert.Equal(expected, Enumerable.Range(0, 4).Select(_ => Message(onFirst.Read())));
        Assert.Equal(expected, Enumerable.Range(0, 4).Select(_ => Message(onThird.Read())));
    }

    private static string Message(object? frame)
    {
        var items = (List<object?>)frame!;
        Assert.Equal("message", items[0]);
        return (string)items[2]!;
    }

    /// <summary>Reads what the server had sent until it closes the connection; false if it stays open.</summary>
    private static bool DrainsToClose(RespTestClient client)
    {
        try
        {
            while (true)
            {
                client.Read();
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or SocketException)
        {
            return e is not IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut } };
        }
    }

    private async Task<RespTestClient> ConnectAsync(int node) => await RespTestClient.ConnectAsync(Cluster.Nodes[node].Ip, Cluster.Nodes[node].RespPort);

    /// <summary>A connection that ran the (P)SUBSCRIBE and read the confirmation of its first channel.</summary>
    private async Task<RespTestClient> SubscribeAsync(int node, string command, params string[] channels)
    {
        var client = await ConnectAsync(node);
        var confirmation = (List<object?>)(await client.CallAsync([command, .. channels]))!;
        Assert.Equal(channels[0], confirmation[1]);
        return client;
    }
}
