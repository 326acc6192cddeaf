using K8sCache.Operator.Runtime;

namespace K8sCache.Operator.Tests.Runtime;

public class WorkQueueTests
{
    [Fact]
    public async Task AKeyAddedManyTimes_IsHandedOutOnce()
    {
        var queue = new WorkQueue(TimeProvider.System, Backoff.Default);

        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("ns/a", await queue.TakeAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal("ns/b", await queue.TakeAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task AKeyAddedWhileProcessing_ComesBackAfterDone_NeverTwiceAtOnce()
    {
        var queue = new WorkQueue(TimeProvider.System, Backoff.Default);
        queue.Add("ns/a");
        var key = await queue.TakeAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

        queue.Add("ns/a");
        using var blocked = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeAsync(blocked.Token).AsTask());
        queue.Done(key);

        Assert.Equal("ns/a", await queue.TakeAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public void Backoff_GrowsExponentially_IsCapped_AndJittered()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        var random = new Random(7);

        var delays = Enumerable.Range(0, 12).Select(n => backoff.Delay(n, random).TotalMilliseconds).ToArray();

        Assert.InRange(delays[0], 80, 120);
        Assert.InRange(delays[3], 640, 960);
        Assert.All(delays, d => Assert.True(d <= 10_000));
        Assert.InRange(delays[11], 8_000, 10_000);
        Assert.NotEqual(backoff.Delay(5, new Random(1)), backoff.Delay(5, new Random(2)));
    }
}
