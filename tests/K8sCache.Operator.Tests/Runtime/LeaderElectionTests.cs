using K8sCache.Operator.Hosting;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Runtime;

/// <summary>Two operator replicas against one API server: one leads and reconciles; when it dies the other takes over
/// within the lease duration.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    private ClusterEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task OneReplicaLeads_WhenItDies_TheOtherTakesOverWithinTheLeaseDuration()
    {
        var handlerA = new CuttableHandler();
        var handlerB = new CuttableHandler();
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
        using var a = Replica("operator-a", new CuttableHandler());
        using var stopA = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        await Poll.UntilAsync(() => a.IsLeader);
        Assert.True(a.IsLeader);

        await stopA.CancelAsync();
        await runA.WaitAsync(TestTimeouts.Default);
        var lease = _env.Get(_env.Server.Resource("coordination.k8s.io/v1", "leases"), "default", "k8scache-operator")!;

        Assert.Null((string?)lease["spec"]!["holderIdentity"]);
    }

    private OperatorRuntime Replica(string identity, CuttableHandler handler) => new(
        KubernetesConfig.FromKubeconfig(_env.Kubeconfig),
        new OperatorOptions
        {
            Identity = identity,
            LeaseDuration = LeaseDuration,
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
            SidecarImage = "k8scache/sidecar:test",
        },
        TimeProvider.System, NullLoggerFactory.Instance, handler);

    private System.Text.Json.Nodes.JsonObject? Sts(string name) => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", name);
}
