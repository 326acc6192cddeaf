using System.Text;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Sidecar.Tests.Node;

public class GroupTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly FakePicker _picker = new();
    private readonly FakeLoader _loader = new();
    private readonly FakePeer _owner = new("10.0.0.2:7070");

    [Fact]
    public async Task Get_WhenThisNodeOwnsTheKey_LoadsOnce_ThenHits()
    {
        var group = Create();

        var first = await group.GetAsync("Tom", default);
        var second = await group.GetAsync("Tom", default);

        Assert.Equal((CacheSource.Load, "v:Tom"), (first.Source, Text(first)));
        Assert.Equal((CacheSource.Hit, "v:Tom"), (second.Source, Text(second)));
        Assert.Equal(1, _loader.Calls);
        Assert.Equal(1, group.Stats.CacheHits);
        Assert.Equal(1, group.Stats.LocalLoads);
    }

    [Fact]
    public async Task Get_ConcurrentMissesForOneKey_CallTheLoaderOnce()
    {
        var group = Create();
        _loader.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var gets = Enumerable.Range(0, 200).Select(_ => group.GetAsync("cold", default).AsTask()).ToArray();
        _loader.Gate.SetResult();
        var results = await Task.WhenAll(gets).WaitAsync(TestTimeouts.Default);

        Assert.Equal(1, _loader.Calls);
        Assert.All(results, r => Assert.Equal("v:cold", Text(r)));
        Assert.Equal(199, group.Stats.LoadsDeduped);
    }

    [Fact]
    public async Task Get_WhenAnotherNodeOwnsTheKey_FetchesFromIt_WithoutLoading()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Values["Tom"] = ("630"u8.ToArray(), 5000);

        var result = await group.GetAsync("Tom", default);

        Assert.Equal((CacheSource.Peer, "630", 5000L), (result.Source, Text(result), result.RemainingMs));
        Assert.Equal(0, _loader.Calls);
        Assert.Equal(1, group.Stats.PeerLoads);
    }

    [Fact]
    public async Task GetMany_AsksEachOwnerForItsMissesInOneCall_AndServesHitsAndOwnedKeysHere()
    {
        var group = Create();
        var other = new FakePeer("10.0.0.3:7070");
        _picker.Owner = key => key[0] switch { 'a' => _owner, 'b' => other, _ => null };
        foreach (var key in new[] { "a1", "a2", "b1", "b2", "b3" })
        {
            (key[0] == 'a' ? _owner : other).Values[key] = (Encoding.UTF8.GetBytes("p:" + key), 0);
        }

        await group.GetAsync("held", default);
        var results = await Task.WhenAll(group.GetMany(["a1", "b1", "held", "a2", "mine", "b2", "b3"], default));

        Assert.Equal(["p:a1", "p:b1", "v:held", "p:a2", "v:mine", "p:b2", "p:b3"], results.Select(Text));
        Assert.Equal([CacheSource.Peer, CacheSource.Peer, CacheSource.Hit, CacheSource.Peer, CacheSource.Load, CacheSource.Peer, CacheSource.Peer], results.Select(r => r.Source));
        Assert.Equal([["a1", "a2"]], _owner.Batches);
        Assert.Equal([["b1", "b2", "b3"]], other.Batches);
        Assert.Equal((0, 0), (_owner.Gets, other.Gets));
        Assert.Equal(2, _loader.Calls);
        Assert.Equal(5, group.Stats.PeerLoads);
    }

    [Fact]
    public async Task GetMany_AKeyAlreadyInFlight_JoinsItsFlight_AndOnlyTheOtherKeysAreBatched()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var key in new[] { "k1", "k2", "k3" })
        {
            _owner.Values[key] = (Encoding.UTF8.GetBytes("p:" + key), 0);
        }

        var single = group.GetAsync("k1", default).AsTask();
        var batch = group.GetMany(["k1", "k2", "k3"], default);
        _owner.Gate.SetResult();
        var results = await Task.WhenAll(batch).WaitAsync(TestTimeouts.Default);

        Assert.Equal("p:k1", Text(await single));
        Assert.Equal(["p:k1", "p:k2", "p:k3"], results.Select(Text));
        Assert.Equal(1, _owner.Gets);
        Assert.Equal([["k2", "k3"]], _owner.Batches);
        Assert.Equal(1, group.Stats.LoadsDeduped);
    }

    [Fact]
    public async Task GetMany_AKeyWhoseLoadFailedOnTheOwner_FailsAlone_AndIsNotLoadedHere()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Values["good"] = ("fine"u8.ToArray(), 0);
        _owner.FailingKeys.Add("bad");

        var results = group.GetMany(["good", "bad"], default);

        Assert.Equal("fine", Text(await results[0]));
        var failed = await Assert.ThrowsAsync<LoaderException>(() => results[1]);
        Assert.Contains("origin answered 500", failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, _loader.Calls);
    }

    [Fact]
    public async Task GetMany_WhenTheOwnersCallFails_EveryKeyIsLoadedHere_AsASingleGetWouldBe()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Down = true;

        var results = await Task.WhenAll(group.GetMany(["x1", "x2", "x3"], default));

        Assert.Equal(["v:x1", "v:x2", "v:x3"], results.Select(Text));
        Assert.All(results, r => Assert.Equal(CacheSource.Load, r.Source));
        Assert.Single(_owner.Batches);
        Assert.Equal(3, group.Stats.PeerErrors);
        Assert.Equal(3, group.Hot.Count);
    }

    [Fact]
    public async Task Get_WhenOwnerIsDown_LoadsLocally_CountingAPeerError()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Down = true;

        var result = await group.GetAsync("Tom", default);

        Assert.Equal((CacheSource.Load, "v:Tom"), (result.Source, Text(result)));
        Assert.Equal(1, group.Stats.PeerErrors);
        Assert.Equal(1, _loader.Calls);

        // Kept as a short-lived hot copy, not in main: this node does not own the key.
        Assert.Equal(1, group.Hot.Count);
        Assert.Equal(0, group.Main.Count);
    }

    [Fact]
    public async Task Get_WhenOwnersLoaderFails_ReturnsTheError_WithoutLoadingAgain()
    {
        var group = Create();
        var failingOwner = new FailingLoaderPeer("10.0.0.2:7070");
        _picker.Owner = _ => failingOwner;

        var e = await Assert.ThrowsAsync<LoaderException>(() => group.GetAsync("Tom", default).AsTask());

        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _loader.Calls);
        Assert.Equal(0, group.Stats.PeerErrors);
    }

    [Fact]
    public async Task Get_WhenOwnersLoaderIsUnreachable_LoadsLocally_CountingAPeerError()
    {
        var group = Create();
        _picker.Owner = _ => new FailingLoaderPeer("10.0.0.2:7070", PeerFailure.Unreachable);

        var result = await group.GetAsync("Tom", default);

        Assert.Equal((CacheSource.Load, "v:Tom"), (result.Source, Text(result)));
        Assert.Equal(1, _loader.Calls);
        Assert.Equal(1, group.Stats.PeerErrors);
    }

    [Fact]
    public async Task GetForPeer_WhenThisNodeThinksAnotherOwnsIt_LoadsItself_NeverForwards()
    {
        var group = Create();
        _picker.Owner = _ => _owner;

        var result = await group.GetForPeerAsync("Tom", default);

        Assert.Equal(CacheSource.Load, result.Source);
        Assert.Equal(0, _owner.Gets);
        Assert.Equal(1, group.Stats.ServerRequests);
    }

    [Fact]
    public async Task Ttl_ExpiredEntry_IsNeverReturned_AndIsReloaded()
    {
        var group = Create(ttl: TimeSpan.FromSeconds(10));
        await group.GetAsync("k", default);

        _clock.Advance(TimeSpan.FromSeconds(9));
        var fresh = await group.GetAsync("k", default);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await group.GetAsync("k", default);

        Assert.Equal((CacheSource.Hit, 1000L), (fresh.Source, fresh.RemainingMs));
        Assert.Equal(CacheSource.Load, expired.Source);
        Assert.Equal(2, _loader.Calls);
    }

    [Fact]
    public async Task LoaderMaxAge_SetsTheTtl_OverTheGroupDefault()
    {
        var group = Create(ttl: TimeSpan.FromMinutes(5));
        _loader.Answer = _ => new LoadResult(true, [1], TimeSpan.FromSeconds(2), true);

        var loaded = await group.GetAsync("k", default);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var after = await group.GetAsync("k", default);

        Assert.Equal(2000, loaded.RemainingMs);
        Assert.Equal(CacheSource.Load, after.Source);
    }

    [Fact]
    public async Task LoaderNoStore_IsReturnedButNotCached()
    {
        var group = Create();
        _loader.Answer = _ => new LoadResult(true, [1], null, Cacheable: false);

        await group.GetAsync("k", default);
        await group.GetAsync("k", default);

        Assert.Equal(2, _loader.Calls);
        Assert.Equal(0, group.Main.Count);
    }

    [Fact]
    public async Task LoaderFailure_ReachesTheCaller_AndIsNotCached()
    {
        var group = Create();
        _loader.Answer = _ => throw new LoaderException("loader answered HTTP 500");

        await Assert.ThrowsAsync<LoaderException>(() => group.GetAsync("k", default).AsTask());
        _loader.Answer = key => new LoadResult(true, [7], null, true);
        var retried = await group.GetAsync("k", default);

        Assert.Equal(CacheSource.Load, retried.Source);
        Assert.Equal(1, group.Stats.LocalLoadErrors);
    }

    [Fact]
    public async Task LoaderNotFound_IsNotFound_AndNotCached()
    {
        var group = Create();
        _loader.Answer = _ => LoadResult.NotFound;

        var result = await group.GetAsync("nobody", default);

        Assert.False(result.Found);
        Assert.Equal(0, group.Main.Count);
    }

    [Fact]
    public async Task Set_AsOwner_StoresWithTtl_AndInvalidatesEveryOtherNode()
    {
        var group = Create();
        var other1 = new FakePeer("10.0.0.3:7070");
        var other2 = new FakePeer("10.0.0.4:7070") { Down = true };
        _picker.OtherPeers.AddRange([other1, other2]);

        var result = await group.SetAsync("k", "new"u8.ToArray(), TimeSpan.FromSeconds(30), default);
        var read = await group.GetAsync("k", default);

        Assert.Equal(["k"], other1.Invalidated);
        Assert.Equal(["10.0.0.4:7070"], result.UnreachablePeers);
        Assert.Equal(("new", 30_000L), (Text(read), read.RemainingMs));
        Assert.Equal(0, _loader.Calls);
    }

    [Fact]
    public async Task Set_OnTheOnlyMember_CompletesAtOnce_AndARefusalOrAFailureIsTheTasks()
    {
        var group = Create();

        var plain = group.SetAsync("k", "a"u8.ToArray(), null, default);
        Assert.True(plain.IsCompletedSuccessfully);
        var stored = await plain;
        Assert.Equal((true, false, 0), (stored.Applied, stored.PreviousFound, stored.UnreachablePeers.Count));

        var refused = await group.SetAsync("k", "b"u8.ToArray(), null, default, new SetCommand(SetCondition.IfAbsent, ReturnPrevious: true));
        Assert.Equal((false, true, "a"), (refused.Applied, refused.PreviousFound, Encoding.UTF8.GetString(refused.Previous)));
        var replaced = await group.SetAsync("k", "c"u8.ToArray(), null, default, new SetCommand(SetCondition.IfPresent));
        Assert.Equal((true, true), (replaced.Applied, replaced.PreviousFound));

        group.Main.Set("h", [1], 0, ValueKind.Hash);
        var wrongType = group.SetAsync("h", [2], null, default, new SetCommand(ReturnPrevious: true));
        Assert.True(wrongType.IsFaulted);
        Assert.Equal(InputErrorKind.WrongType, (await Assert.ThrowsAsync<InputException>(() => wrongType)).Kind);
        Assert.Equal("c", Text(await group.GetAsync("k", default)));
    }

    [Fact]
    public async Task Set_WhenAnotherNodeOwnsIt_GoesToTheOwner_AndDropsTheLocalHotCopy()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("old"u8.ToArray(), 0);
        Assert.Equal("old", Text(await group.GetAsync("k", default)));
        Assert.Equal(1, group.Hot.Count);

        await group.SetAsync("k", "new"u8.ToArray(), null, default);

        Assert.Equal(0, group.Hot.Count);
        Assert.Equal(("k", "new", 0L), (_owner.Sets[0].Key, Encoding.UTF8.GetString(_owner.Sets[0].Value), _owner.Sets[0].TtlMs));
        Assert.Equal("new", Text(await group.GetAsync("k", default)));
    }

    [Fact]
    public async Task Set_WithoutTtl_UsesTheGroupDefault_OnTheWire()
    {
        var group = Create(ttl: TimeSpan.FromMinutes(5));
        _picker.Owner = _ => _owner;

        await group.SetAsync("k", [1], null, default);

        Assert.Equal(300_000, _owner.Sets[0].TtlMs);
    }

    [Fact]
    public async Task Set_WhenOwnerIsDown_FailsWithoutWritingAnything()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.Down = true;

        await Assert.ThrowsAsync<OwnerUnavailableException>(() => group.SetAsync("k", [1], null, default));

        Assert.Equal(0, group.Main.Count + group.Hot.Count);
    }

    [Fact]
    public async Task Delete_AsOwner_RemovesAndInvalidates()
    {
        var group = Create();
        var other = new FakePeer("10.0.0.3:7070");
        _picker.OtherPeers.Add(other);
        await group.GetAsync("k", default);

        var deleted = await group.DeleteAsync("k", default);
        var again = await group.DeleteAsync("k", default);

        Assert.True(deleted.Existed);
        Assert.False(again.Existed);
        Assert.Equal(["k", "k"], other.Invalidated);
        Assert.Equal(0, group.Main.Count);
    }

    [Fact]
    public async Task HotCopy_NeverOutlivesTheOwnersEntry()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("v"u8.ToArray(), 1500);

        await group.GetAsync("k", default);
        _clock.Advance(TimeSpan.FromMilliseconds(1400));
        var hot = await group.GetAsync("k", default);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var afterOwnerExpiry = await group.GetAsync("k", default);

        Assert.Equal((CacheSource.Hot, 100L), (hot.Source, hot.RemainingMs));
        Assert.Equal(CacheSource.Peer, afterOwnerExpiry.Source);
    }

    [Fact]
    public async Task HotCopy_IsCappedByHotCacheTtl()
    {
        var group = Create(hotTtl: TimeSpan.FromSeconds(1));
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("v"u8.ToArray(), 0);

        await group.GetAsync("k", default);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(CacheSource.Peer, (await group.GetAsync("k", default)).Source);
    }

    [Fact]
    public async Task HotCopy_IsNotServed_WhenTheOwnersLeaseHasLapsed()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("v"u8.ToArray(), 0);
        await group.GetAsync("k", default);

        _owner.LeaseValid = false;

        Assert.Equal(CacheSource.Peer, (await group.GetAsync("k", default)).Source);
        Assert.Equal(2, _owner.Gets);
    }

    [Fact]
    public async Task HotCopy_IsNotServed_ByTheNodeThatOwnsTheKeyNow()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("v"u8.ToArray(), 0);
        await group.GetAsync("k", default);

        _picker.Owner = _ => null;

        Assert.Equal(CacheSource.Load, (await group.GetAsync("k", default)).Source);
    }

    [Fact]
    public async Task Get_WhenTheOwnerIsMarkedDown_LoadsLocallyWithoutCallingIt()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.MarkedDown = true;

        var result = await group.GetAsync("k", default);

        Assert.Equal((CacheSource.Load, 0, 1L, 0L), (result.Source, _owner.Gets, group.Stats.OwnerDownLoads, group.Stats.PeerErrors));
    }

    [Fact]
    public async Task Set_WhenTheOwnerIsMarkedDown_IsRefusedAtOnce_AsNotWritten()
    {
        var group = Create();
        _picker.Owner = _ => _owner;
        _owner.MarkedDown = true;

        var e = await Assert.ThrowsAsync<OwnerUnavailableException>(() => group.SetAsync("k", "v"u8.ToArray(), null, default));

        Assert.False(e.OutcomeUnknown);
        Assert.Empty(_owner.Sets);
    }

    [Fact]
    public async Task Set_RefusedByTheOwnersOwnLimits_IsThatRefusal_NotAnUnreachableOwner()
    {
        var group = Create();
        _picker.Owner = _ => new RefusingPeer("10.0.0.5:7070");

        var e = await Assert.ThrowsAsync<InputException>(() => group.SetAsync("k", "v"u8.ToArray(), null, default));

        Assert.Equal(InputErrorKind.TooLarge, e.Kind);
        Assert.Contains("refused the write: the value is 9 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_AsOwner_WithAnUnreachablePeer_Succeeds_AndRecordsTheMiss()
    {
        var group = Create();
        var other = new FakePeer("10.0.0.3:7070") { Down = true };
        _picker.OtherPeers.Add(other);

        var result = await group.ApplySetAsync("k", "v"u8.ToArray(), 0);

        Assert.Equal(["10.0.0.3:7070"], result.UnreachablePeers);
        Assert.Equal(1, other.Missed);
        Assert.Equal(CacheSource.Hit, (await group.GetAsync("k", default)).Source);
    }

    [Fact]
    public async Task Write_DuringALoad_DetachesIt_SoItNeitherStoresNorAnswersLaterGets()
    {
        var group = Create();
        _loader.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = group.GetAsync("k", default).AsTask();

        await group.ApplySetAsync("k", "written"u8.ToArray(), 0);
        var after = await group.GetAsync("k", default);
        _loader.Gate.SetResult();
        await before.WaitAsync(TestTimeouts.Default);

        Assert.Equal("written", Text(after));
        Assert.Equal("written", Text(await group.GetAsync("k", default)));
    }

    [Fact]
    public async Task DropHotCopies_FencesAFetchInFlight()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gated = new GatedPeer("10.0.0.4:7070", gate.Task);
        _picker.Owner = _ => gated;
        var fetch = group.GetAsync("k", default).AsTask();

        group.DropHotCopies();
        gate.SetResult();
        await fetch.WaitAsync(TestTimeouts.Default);

        Assert.Equal(0, group.Hot.Count);
    }

    [Fact]
    public async Task PeerAnswerMarkedNoStore_IsReturned_ButNoHotCopyIsKept()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.NoStore = true;
        _owner.Values["k"] = ("v"u8.ToArray(), 0);

        var result = await group.GetAsync("k", default);

        Assert.Equal((true, true, 0), (result.Found, result.NoStore, group.Hot.Count));
    }

    [Fact]
    public async Task DropUnowned_AfterARingChange_RemovesOnlyKeysAnotherMemberOwnsNow()
    {
        var group = Create();
        await group.ApplySetAsync("stays", "a"u8.ToArray(), 0);
        await group.ApplySetAsync("moves", "b"u8.ToArray(), 0);
        _picker.Owner = key => key == "moves" ? _owner : null;

        var removed = group.DropUnowned();

        Assert.Equal((1, 1), (removed, group.Main.Count));
        Assert.Equal(CacheSource.Hit, (await group.GetAsync("stays", default)).Source);
    }

    [Fact]
    public async Task Loads_AreBounded_ExtraMissesWaitForASlot()
    {
        var group = Create();
        _loader.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var gets = Enumerable.Range(0, Defaults.MaxConcurrentLoads + 36).Select(i => group.GetAsync($"cold-{i}", default).AsTask()).ToArray();
        await Eventually.TrueAsync(() => group.LoadsInFlight == Defaults.MaxConcurrentLoads, "every load slot taken");
        var callsWhileFull = _loader.Calls;
        _loader.Gate.SetResult();
        await Task.WhenAll(gets).WaitAsync(TestTimeouts.Default);

        Assert.Equal(Defaults.MaxConcurrentLoads, callsWhileFull);
        Assert.Equal(Defaults.MaxConcurrentLoads + 36, _loader.Calls);
    }

    [Fact]
    public async Task Invalidate_DropsHotAndMainCopies()
    {
        var group = Create();
        group.KeepHotCopy = () => true;
        _picker.Owner = _ => _owner;
        _owner.Values["k"] = ("v"u8.ToArray(), 0);
        await group.GetAsync("k", default);

        group.Invalidate("k");

        Assert.Equal(0, group.Hot.Count);
        Assert.Equal(1, group.Stats.Invalidations);
    }

    [Fact]
    public async Task GroupWithoutLoader_IsAPlainKeyValueCache()
    {
        var group = new Group("self", new GroupOptions { Name = "kv" }, null, _picker, TimeSpan.FromSeconds(30), _clock, NullLogger.Instance);

        Assert.False((await group.GetAsync("k", default)).Found);
        await group.SetAsync("k", [9], null, default);
        Assert.Equal(CacheSource.Hit, (await group.GetAsync("k", default)).Source);
    }

    [Fact]
    public void Budget_SplitsSevenEighthsMainOneEighthHot()
    {
        var group = Create(maxBytes: 8 * 1024 * 1024);

        Assert.Equal(7 * 1024 * 1024, group.Main.MaxBytes);
        Assert.Equal(1024 * 1024, group.Hot.MaxBytes);
    }

    private Group Create(TimeSpan? ttl = null, TimeSpan? hotTtl = null, long maxBytes = 1 << 20) =>
        new("self", new GroupOptions { Name = "g", MaxBytes = maxBytes, Ttl = ttl }, _loader, _picker,
            hotTtl ?? TimeSpan.FromSeconds(30), _clock, NullLogger.Instance);

    private static string Text(GetResult result) => Encoding.UTF8.GetString(result.Value);
}
