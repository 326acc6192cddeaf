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
            var task = flight.RunAsync("k", _ =>
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
        var first = flight.RunAsync("k", _ => release.Task, out _);
        var second = flight.RunAsync("k", _ => throw new InvalidOperationException("never called"), out var joined);

        release.SetException(new InvalidOperationException("origin down"));

        Assert.True(joined);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(TestTimeouts.Default));
        Assert.Equal(7, await flight.RunAsync("k", _ => Task.FromResult(7), out var joinedAfter).WaitAsync(TestTimeouts.Default));
        Assert.False(joinedAfter);
    }

    [Fact]
    public async Task DifferentKeys_RunIndependently()
    {
        var flight = new SingleFlight<string>();

        var a = flight.RunAsync("a", k => Task.FromResult(k + "!"), out var joinedA);
        var b = flight.RunAsync("b", k => Task.FromResult(k + "!"), out var joinedB);

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
        var impatient = flight.RunAsync("k", _ => release.Task, out _, cts.Token);
        var patient = flight.RunAsync("k", _ => release.Task, out _);

        await cts.CancelAsync();
        release.SetResult(5);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.WaitAsync(TestTimeouts.Default));
        Assert.Equal(5, await patient.WaitAsync(TestTimeouts.Default));
    }
}
