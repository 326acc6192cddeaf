using System.Text;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Sidecar.Tests.Node;

/// <summary>
/// A group's part in a hand-over: a handed entry lands only where nothing is held and nothing changed since the
/// hand-over began (never over a newer write, never reviving a deleted key); a new owner asks the previous one before
/// its loader, and a write racing that question wins; keys that moved away are kept for the new owner but not served
/// to this node's applications.
/// </summary>
public sealed class HandOverGroupTests
{
    private const string Sender = "10.0.0.9:7070";
    private readonly ManualTimeProvider _clock = new();
    private readonly FakePicker _picker = new();
    private readonly FakeLoader _loader = new();
    private readonly FakePeer _previous = new("10.0.0.3:7070");

    [Fact]
    public async Task AHandedEntry_NeverOverwritesAWriteOrRevivesADeleteMadeDuringTheHandOver()
    {
        var group = Create();
        await group.ApplySetAsync("held", "mine"u8.ToArray(), 0);
        group.BeginReceiving();
        // While the entries travel, the keys change here: a write, a delete, an owner's invalidation.
        await group.ApplySetAsync("written", "newer"u8.ToArray(), 0);
        await group.ApplySetAsync("deleted", "x"u8.ToArray(), 0);
        await group.ApplyDeleteAsync("deleted");
        group.Invalidate("invalidated");

        var result = group.Adopt([Entry("written"), Entry("deleted"), Entry("invalidated"), Entry("held"), Entry("fresh", ttlMs: 5000)], Sender);
        group.EndReceiving();

        Assert.Equal(new HandOverResult(1, 4), result);
        Assert.Equal("newer", Text(await group.GetAsync("written", default)));
        Assert.False(group.Main.TryGet("deleted", 0, out _));
        Assert.False(group.Main.TryGet("invalidated", 0, out _));
        Assert.Equal("mine", Text(await group.GetAsync("held", default)));
        var fresh = await group.GetAsync("fresh", default);
        Assert.Equal(("old", CacheSource.Hit, 5000L), (Text(fresh), fresh.Source, fresh.RemainingMs));
        Assert.Equal((1L, 4L, 0), (group.Stats.HandOverReceived, group.Stats.HandOverRejected, _loader.Calls));
    }

    [Fact]
    public void Entries_AreStoredOnlyDuringAHandOver_AndOnlyForKeysThisNodeOrTheLeavingSenderOwns()
    {
        var group = Create();
        var third = new FakePeer("10.0.0.4:7070");
        _picker.Owner = key => key switch
        {
            "senders" => new FakePeer(Sender),
            "thirds" => third,
            _ => null,
        };

        var outside = group.Adopt([Entry("mine")], Sender);
        group.BeginReceiving();
        var inside = group.Adopt([Entry("mine"), Entry("senders"), Entry("thirds")], Sender);

        Assert.Equal((new HandOverResult(0, 1), new HandOverResult(2, 1)), (outside, inside));
    }

    [Fact]
    public async Task AMissOfAKeyThatChangedHands_IsAnsweredByItsPreviousOwner_NotTheLoader()
    {
        var group = Create();
        _picker.Previous = _ => _previous;
        _previous.Values["moved"] = ("kept"u8.ToArray(), 7000);

        var first = await group.GetAsync("moved", default);
        var second = await group.GetAsync("moved", default);

        Assert.Equal(("kept", CacheSource.Peer, 7000L), (Text(first), first.Source, first.RemainingMs));
        Assert.Equal(CacheSource.Hit, second.Source);
        Assert.Equal((0, 1, 1L), (_loader.Calls, _previous.CachedGets, group.Stats.HandOverPulls));
        _previous.Values.Clear();
        Assert.Equal("v:gone", Text(await group.GetAsync("gone", default)));
    }

    [Fact]
    public async Task AWriteWhileThePreviousOwnerIsAsked_Wins()
    {
        var group = Create();
        _picker.Previous = _ => _previous;
        _previous.Values["raced"] = ("old"u8.ToArray(), 0);
        _previous.CachedGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var racing = group.GetAsync("raced", default).AsTask();
        await _previous.CachedGetStarted.Task.WaitAsync(TestTimeouts.Default);
        await group.ApplySetAsync("raced", "newer"u8.ToArray(), 0);
        _previous.CachedGate.SetResult();
        await racing.WaitAsync(TestTimeouts.Default);

        Assert.Equal("newer", Text(await group.GetAsync("raced", default)));
    }

    [Fact]
    public async Task KeysThatMovedAway_AreKeptForTheNewOwner_NotServedHere_ThenDropped()
    {
        var group = Create();
        group.KeepHotCopy = () => false;
        var newOwner = new FakePeer("10.0.0.5:7070");
        await group.ApplySetAsync("moved", "held-here"u8.ToArray(), 0);
        await group.ApplySetAsync("stays", "mine"u8.ToArray(), 0);
        _picker.Owner = key => key == "moved" ? newOwner : null;
        newOwner.Values["moved"] = ("from-the-owner"u8.ToArray(), 0);

        group.BeginTransition();
        var local = await group.GetAsync("moved", default);
        var asked = group.GetCachedForPeer("moved");
        var dropped = group.EndTransition();

        Assert.Equal(("from-the-owner", CacheSource.Peer), (Text(local), local.Source));
        Assert.Equal("held-here", Text(asked));
        Assert.Equal((1, false), (dropped, group.GetCachedForPeer("moved").Found));
        Assert.Equal(CacheSource.Hit, (await group.GetAsync("stays", default)).Source);
    }

    [Fact]
    public void TheEntriesAnotherMemberOwns_AreFoundByWalkingTheMainCache()
    {
        var group = Create();
        for (var i = 0; i < 100; i++)
        {
            group.Main.Set($"k{i}", [1], 0);
        }

        var found = new List<(string Owner, PeerEntry Entry)>();
        var cursor = 0UL;
        do
        {
            found.AddRange(group.EntriesOwnedElsewhere(key => key.EndsWith('7') ? "10.0.0.7:7070" : "self", ref cursor, 16));
        }
        while (cursor < ICacheStore.ScanEnd);

        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 10 == 7).Select(i => $"k{i}").Order(), found.Select(f => f.Entry.Key).Order());
        Assert.All(found, f => Assert.Equal("10.0.0.7:7070", f.Owner));
    }

    private static PeerEntry Entry(string key, long ttlMs = 0) => new(key, "old"u8.ToArray(), ttlMs, ValueKind.String);

    private static string Text(GetResult result) => Encoding.UTF8.GetString(result.Value);

    private Group Create() =>
        new("self", new GroupOptions { Name = "g", MaxBytes = 1 << 20 }, _loader, _picker, TimeSpan.FromSeconds(30), _clock, NullLogger.Instance);
}
