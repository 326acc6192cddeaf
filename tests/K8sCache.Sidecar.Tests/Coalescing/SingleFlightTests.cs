using K8sCache.Sidecar.Coalescing;

namespace K8sCache.Sidecar.Tests.Coalescing;

public class SingleFlightTests
{
    [Fact]
    public async Task ConcurrentCallers_ShareOneCall()
    {
        var flight = new SingleFlight<int>();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var joinedCount = 0;

        var tasks = Enumerable.Range(0, 100).Select(_ =>
        {
            var task = flight.RunAsync("k", (_, _) =>
            {
                Interlocked.Increment(ref calls);
                return release.Task;
            }, out var joined);
            if (joined)
            {
                Interlocked.Increment(ref joinedCount);
            }

            return task;
        }).ToArray();
        release.SetResult(42);
        var results = await Task.WhenAll(tasks).WaitAsync(TestTimeouts.Default);

        Assert.Equal(1, calls);
        Assert.Equal(99, joinedCount);
        Assert.All(results, r => Assert.Equal(42, r));
        Assert.Equal(0, flight.InFlight);
    }

    [Fact]
    public async Task Failure_IsSharedByEveryWaiter_AndNotRemembered()
    {
        var flight = new SingleFlight<int>();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = flight.RunAsync("k", (_, _) => release.Task, out _);
        var second = flight.RunAsync("k", (_, _) => throw new InvalidOperationException("never called"), out var joined);

        release.SetException(new InvalidOperationException("origin down"));

        Assert.True(joined);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(TestTimeouts.Default));
        Assert.Equal(7, await flight.RunAsync("k", (_, _) => Task.FromResult(7), out var joinedAfter).WaitAsync(TestTimeouts.Default));
        Assert.False(joinedAfter);
    }

    [Fact]
    public async Task DifferentKeys_RunIndependently()
    {
        var flight = new SingleFlight<string>();

        var a = flight.RunAsync("a", (k, _) => Task.FromResult(k + "!"), out var joinedA);
        var b = flight.RunAsync("b", (k, _) => Task.FromResult(k + "!"), out var joinedB);

        Assert.False(joinedA);
        Assert.False(joinedB);
        Assert.Equal(["a!", "b!"], await Task.WhenAll(a, b).WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task CancellingOneWaiter_LeavesTheCallRunningForOthers()
    {
        var flight = new SingleFlight<int>();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var impatient = flight.RunAsync("k", (_, _) => release.Task, out _, cts.Token);
        var patient = flight.RunAsync("k", (_, _) => release.Task, out _);

        await cts.CancelAsync();
        release.SetResult(5);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.WaitAsync(TestTimeouts.Default));
        Assert.Equal(5, await patient.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Detach_LetsLaterCallersStartANewCall_AndTellsTheOldOne()
    {
        var flight = new SingleFlight<int>();
        var releaseOld = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Flight? oldFlight = null;
        var old = flight.RunAsync("k", (_, f) =>
        {
            oldFlight = f;
            return releaseOld.Task;
        }, out _);

        flight.Detach("k");
        var fresh = flight.RunAsync("k", (_, _) => Task.FromResult(2), out var joined);
        releaseOld.SetResult(1);

        Assert.False(joined);
        Assert.Equal(2, await fresh.WaitAsync(TestTimeouts.Default));
        Assert.Equal(1, await old.WaitAsync(TestTimeouts.Default));
        Assert.True(oldFlight!.IsDetached);
        Assert.Equal(0, flight.InFlight);
    }

    [Fact]
    public async Task DetachedCall_WhenItEnds_DoesNotForgetTheNewerCall()
    {
        var flight = new SingleFlight<int>();
        var releaseOld = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseNew = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var old = flight.RunAsync("k", (_, _) => releaseOld.Task, out _);
        flight.Detach("k");
        var newer = flight.RunAsync("k", (_, _) => releaseNew.Task, out _);

        releaseOld.SetResult(1);
        await old.WaitAsync(TestTimeouts.Default);
        var joiner = flight.RunAsync("k", (_, _) => throw new InvalidOperationException("must join the newer call"), out var joined);
        releaseNew.SetResult(2);

        Assert.True(joined);
        Assert.Equal(2, await joiner.WaitAsync(TestTimeouts.Default));
        Assert.Equal(2, await newer.WaitAsync(TestTimeouts.Default));
    }
}
