using k8s;
using K8sCache.Operator.Hosting;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Runtime;

/// <summary>Two operator replicas against one API server: one leads and reconciles; when it dies the other takes over
/// within the lease duration; and never do both lead — not when a renewal hangs, is refused, or the clocks disagree.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    private ClusterEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task OneReplicaLeads_WhenItDies_TheOtherTakesOverWithinTheLeaseDuration()
    {
        var handlerA = new FaultInjectingHandler();
        var handlerB = new FaultInjectingHandler();
        using var a = Replica("operator-a", handlerA);
        using var b = Replica("operator-b", handlerB);
        using var stop = new CancellationTokenSource();
        var runs = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };
        try
        {
            await Poll.UntilAsync(() => a.IsLeader || b.IsLeader);
            Assert.True(a.IsLeader ^ b.IsLeader, "exactly one replica must lead");
            var (leader, follower, leaderHandler) = a.IsLeader ? (a, b, handlerA) : (b, a, handlerB);

            await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
            await Poll.UntilAsync(() => Sts("scores") is not null);
            Assert.NotNull(Sts("scores"));
            Assert.True(leader.Reconciles > 0);
            Assert.Equal(0, follower.Reconciles);

            // The leader dies: it can no longer renew. Measured from here, the follower must lead within the lease
            // duration plus one retry period (its next look at the Lease), and reconcile.
            leaderHandler.Cut = true;
            var died = DateTime.UtcNow;
            await Poll.UntilAsync(() => follower.IsLeader);
            var takeover = DateTime.UtcNow - died;
            Assert.True(follower.IsLeader);
            Assert.True(takeover < LeaseDuration + TimeSpan.FromSeconds(3), $"takeover took {takeover}");

            var cg = _env.Get(_env.CacheGroups, "default", "scores")!;
            cg["spec"]!["replicas"] = 4;
            _env.Server.Store.Update(_env.CacheGroups, "default", "scores", cg, "test");
            await Poll.UntilAsync(() => (int?)Sts("scores")?["spec"]?["replicas"] == 4);
            Assert.Equal(4, (int?)Sts("scores")!["spec"]!["replicas"]);
            var lease = _env.Get(_env.Server.Resource("coordination.k8s.io/v1", "leases"), "default", "k8scache-operator")!;
            Assert.Equal(follower == a ? "operator-a" : "operator-b", (string?)lease["spec"]!["holderIdentity"]);
            Assert.Equal(1, (int?)lease["spec"]!["leaseTransitions"]);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs).WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public async Task AGracefulShutdown_ReleasesTheLease_SoTheOtherLeadsAtOnce()
    {
        using var a = Replica("operator-a", new FaultInjectingHandler());
        using var stopA = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        await Poll.UntilAsync(() => a.IsLeader);
        Assert.True(a.IsLeader);

        await stopA.CancelAsync();
        await runA.WaitAsync(TestTimeouts.Default);
        var lease = _env.Get(_env.Server.Resource("coordination.k8s.io/v1", "leases"), "default", "k8scache-operator")!;

        Assert.Null((string?)lease["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task ARenewalThatHangs_StopsTheLeaderBeforeTheOtherTakesOver()
    {
        await AssertFailedRenewalsHandOverSafelyAsync(handler => handler.Stall = true);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    [InlineData(404)]
    public async Task ARenewalThatIsRefused_StopsTheLeaderBeforeTheOtherTakesOver(int status)
    {
        await AssertFailedRenewalsHandOverSafelyAsync(handler => handler.LeaseStatus = status);
    }

    [Fact]
    public async Task AStandbyWhoseClockIsAnHourAhead_DoesNotTakeALiveLease()
    {
        var handlerB = new FaultInjectingHandler();
        using var a = Replica("operator-a", new FaultInjectingHandler());
        using var b = Replica("operator-b", handlerB, new SkewedClock(TimeSpan.FromHours(1)));
        using var stop = new CancellationTokenSource();
        var runA = a.RunAsync(stop.Token);
        await Poll.UntilAsync(() => a.IsLeader);
        var runB = b.RunAsync(stop.Token);
        var monitor = Monitor(a, b, stop.Token);
        try
        {
            // Ten looks at the Lease, 500 ms apart: well past the 3 s lease the skewed clock would call expired.
            await Poll.UntilAsync(() => handlerB.LeaseRequests >= 10);

            Assert.True(a.IsLeader);
            Assert.False(monitor.BLed, "the standby took a live Lease");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runA, runB, monitor.Task).WaitAsync(TestTimeouts.Default);
        }
    }

    /// <summary>Starts two replicas, breaks the leader's renewals with <paramref name="breakRenewals"/>, and checks that the
    /// leader stops leading (its work cancelled) and the other takes over, never both at once.</summary>
    private async Task AssertFailedRenewalsHandOverSafelyAsync(Action<FaultInjectingHandler> breakRenewals)
    {
        var handlerA = new FaultInjectingHandler();
        var handlerB = new FaultInjectingHandler();
        using var a = Replica("operator-a", handlerA);
        using var b = Replica("operator-b", handlerB);
        using var stop = new CancellationTokenSource();
        var runs = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };
        var monitor = Monitor(a, b, stop.Token);
        try
        {
            await Poll.UntilAsync(() => a.IsLeader || b.IsLeader);
            var (leader, follower, leaderHandler) = a.IsLeader ? (a, b, handlerA) : (b, a, handlerB);

            breakRenewals(leaderHandler);
            await Poll.UntilAsync(() => follower.IsLeader);

            Assert.True(follower.IsLeader);
            Assert.False(leader.IsLeader);
            Assert.False(monitor.Overlapped, "both replicas led at once");
        }
        finally
        {
            handlerA.Stall = handlerB.Stall = false;
            await stop.CancelAsync();
            await Task.WhenAll([.. runs, monitor.Task]).WaitAsync(TestTimeouts.Default);
        }
    }

    /// <summary>Samples both replicas' leadership every 5 ms until stopped.</summary>
    private static LeadershipMonitor Monitor(OperatorRuntime a, OperatorRuntime b, CancellationToken stop)
    {
        var monitor = new LeadershipMonitor();
        monitor.Task = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                monitor.Overlapped |= a.IsLeader && b.IsLeader;
                monitor.BLed |= b.IsLeader;
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);
        return monitor;
    }

    private OperatorRuntime Replica(string identity, FaultInjectingHandler handler, TimeProvider? clock = null) => new(
        KubernetesClientConfiguration.BuildConfigFromConfigFile(_env.Kubeconfig),
        new OperatorOptions
        {
            Identity = identity,
            LeaseDuration = LeaseDuration,
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
            SidecarImage = "k8scache/sidecar:test",
        },
        clock ?? TimeProvider.System, NullLoggerFactory.Instance, handler);

    private System.Text.Json.Nodes.JsonObject? Sts(string name) => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", name);

    private sealed class LeadershipMonitor
    {
        public volatile bool Overlapped;
        public volatile bool BLed;

        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>A wall clock off by <paramref name="offset"/>, as on a node whose time is wrong; monotonic time is unaffected.</summary>
    private sealed class SkewedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
