using k8s;
using K8sCache.Operator.Hosting;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Controller;

/// <summary>The whole operator (informers, queue, workers) against the API test server, driven with kubectl as a user
/// would: no reconcile is called by hand.</summary>
public sealed class OperatorEndToEndTests : IAsyncLifetime
{
    private ClusterEnvironment _env = null!;
    private OperatorRuntime _operator = null!;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _env = await ClusterEnvironment.StartAsync();
        _operator = new OperatorRuntime(KubernetesClientConfiguration.BuildConfigFromConfigFile(_env.Kubeconfig),
            new OperatorOptions { LeaderElection = false, SidecarImage = "k8scache/sidecar:test" }, TimeProvider.System, NullLoggerFactory.Instance);
        _running = _operator.RunAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TestTimeouts.Default);
        _operator.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task KubectlApply_TheExample_TheOperatorCreatesTheStatefulSet_AndGetShowsThePrinterColumns()
    {
        var (exit, output, error) = await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        Assert.Contains("cachegroup.k8scache.io/scores created", output, StringComparison.Ordinal);

        await Poll.UntilAsync(() => Sts("scores") is not null);
        Assert.Equal(3, (int?)Sts("scores")!["spec"]!["replicas"]);

        var get = await _env.KubectlAsync("get", "cg");
        var lines = get.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+REPLICAS\s+READY\s+AVAILABLE\s+AGE$", lines[0]);
        Assert.Matches(@"^scores\s+3\s+", lines[1]);
    }

    [Fact]
    public async Task KubectlScale_ChangesTheStatefulSet_ThroughTheOperator()
    {
        await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        await Poll.UntilAsync(() => Sts("scores") is not null);

        var (exit, output, error) = await _env.KubectlAsync("scale", "cg/scores", "--replicas=5");
        Assert.True(exit == 0, error);
        Assert.Contains("scaled", output, StringComparison.Ordinal);
        await Poll.UntilAsync(() => (int?)Sts("scores")?["spec"]?["replicas"] == 5);

        Assert.Equal(5, (int?)Sts("scores")!["spec"]!["replicas"]);
        var scale = await _env.KubectlAsync("get", "cg", "scores", "-o", "jsonpath={.spec.replicas}");
        Assert.Equal("5", scale.Output.Trim());
    }

    [Fact]
    public async Task StatefulSetStatus_ReachesKubectlGet_ThroughTheOwnedObjectWatch()
    {
        await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        await Poll.UntilAsync(() => Sts("scores") is not null);

        var sts = _env.Server.Resource("apps/v1", "statefulsets");
        var live = Sts("scores")!;
        live["status"] = new System.Text.Json.Nodes.JsonObject { ["replicas"] = 3, ["readyReplicas"] = 3, ["updatedReplicas"] = 3, ["observedGeneration"] = 1 };
        _env.Server.Store.Update(sts, "default", "scores", live, "kube-controller-manager", statusOnly: true);
        await Poll.UntilAsync(() => (int?)_env.Get(_env.CacheGroups, "default", "scores")?["status"]?["readyReplicas"] == 3);

        var get = await _env.KubectlAsync("get", "cg", "scores");
        Assert.Matches(@"scores\s+3\s+3\s+True\s+", get.Output);
    }

    [Theory]
    [InlineData("replicas: -1\n  groups: [ { name: scores } ]", "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0")]
    [InlineData("replicas: 3", "spec.groups: Required value")]
    [InlineData("groups: []", "spec.groups in body should have at least 1 items")]
    [InlineData("groups: [ { name: scores, ttl: banana } ]", "spec.groups[0].ttl: Invalid value: \"banana\": spec.groups[0].ttl in body should match")]
    [InlineData("groups: [ { name: scores, loader: { url: 'http://x/{key}', grpc: 'http://y:1' } } ]", "set exactly one of url (an HTTP loader) and grpc")]
    [InlineData("groups: [ { name: a }, { name: a } ]", "Duplicate value")]
    [InlineData("groups: [ { name: scores } ]\n  replicaz: 3", "unknown field \"spec.replicaz\"")]
    public async Task KubectlApply_OfAnInvalidCacheGroup_IsRefusedWithTheSchemasMessage(string spec, string message)
    {
        var file = Path.Combine(_env.Directory, $"bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"apiVersion: k8scache.io/v1alpha1\nkind: CacheGroup\nmetadata:\n  name: bad\nspec:\n  {spec}\n");

        var (exit, _, error) = await _env.KubectlAsync("apply", "-f", file);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Null(_env.Get(_env.CacheGroups, "default", "bad"));
    }

    private System.Text.Json.Nodes.JsonObject? Sts(string name) => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", name);
}
