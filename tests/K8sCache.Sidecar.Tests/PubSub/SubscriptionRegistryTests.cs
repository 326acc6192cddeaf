using System.Text;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Tests.PubSub;

public sealed class SubscriptionRegistryTests
{
    [Fact]
    public void AMessage_ReachesTheChannelsSubscribers_AndEachMatchingPattern_AndIsCounted()
    {
        var stats = new PubSubStats();
        var registry = new SubscriptionRegistry(stats);
        var (a, b) = (new Recorder(), new Recorder());
        registry.Subscribe(a, "news"u8);
        Assert.False(registry.Subscribe(a, "news"u8));
        registry.SubscribePattern(b, "n?ws"u8.ToArray());
        registry.SubscribePattern(a, "[^x]*"u8.ToArray());

        Assert.Equal(3, registry.Deliver("news"u8.ToArray(), "hello"u8.ToArray()));
        Assert.Equal(["news:hello", "[^x]*:news:hello"], a.Received);
        Assert.Equal(["n?ws:news:hello"], b.Received);
        Assert.Equal((1, 2, 3L), (registry.SubscriberCount("news"u8), registry.PatternCount(), stats.Delivered));

        Assert.True(registry.Unsubscribe(a, "news"));
        Assert.True(registry.UnsubscribePattern(b, "n?ws"));
        Assert.False(registry.UnsubscribePattern(b, "n?ws"));
        Assert.Equal(1, registry.Deliver("news"u8.ToArray(), "again"u8.ToArray()));
        Assert.Empty(registry.Channels([]));
    }

    [Fact]
    public void HasAnySubscribers_FollowsTheLastChannelAndPatternSubscriptions()
    {
        var registry = new SubscriptionRegistry(new PubSubStats());
        var (a, b) = (new Recorder(), new Recorder());
        Assert.False(registry.HasAnySubscribers);

        registry.Subscribe(a, "news"u8);
        registry.Subscribe(b, "news"u8);
        registry.Subscribe(a, "other"u8);
        Assert.True(registry.HasAnySubscribers);
        Assert.True(registry.HasSubscribers("news"));
        Assert.False(registry.HasSubscribers("none"));

        registry.Unsubscribe(a, "news");
        registry.Unsubscribe(a, "other");
        Assert.True(registry.HasAnySubscribers);
        registry.Unsubscribe(b, "news");
        Assert.False(registry.HasAnySubscribers);
        Assert.False(registry.HasSubscribers("news"));

        registry.SubscribePattern(a, "*"u8.ToArray());
        Assert.True(registry.HasSubscribers("none"));
        registry.UnsubscribePattern(a, "*");
        Assert.False(registry.HasAnySubscribers);
    }

    [Fact]
    public void ChannelsAreBytes_NotText()
    {
        var registry = new SubscriptionRegistry(new PubSubStats());
        var recorder = new Recorder();
        byte[] binary = [0xff, 0x00, 0xc3];
        registry.Subscribe(recorder, binary);

        Assert.Equal(1, registry.Deliver(binary, "x"u8.ToArray()));
        Assert.Equal(0, registry.Deliver([0xff, 0x00], "x"u8.ToArray()));
        Assert.Equal(binary, Encoding.Latin1.GetBytes(Assert.Single(registry.Channels([]))));
    }

    private sealed class Recorder : ISubscriber
    {
        public List<string> Received { get; } = [];

        public void Deliver(byte[]? pattern, byte[] channel, byte[] payload) =>
            Received.Add((pattern is null ? string.Empty : Encoding.UTF8.GetString(pattern) + ":") + Encoding.UTF8.GetString(channel) + ":" + Encoding.UTF8.GetString(payload));
    }
}
