using System.Text.Json.Nodes;
using K8sCache.Kubernetes.Testing;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.StandIns;

/// <summary>The StatefulSet controller stand-in does what the real one does for the behaviours the whole-system tests
/// rely on. Pods are made Ready by hand here (no node agent), so each step is the test's choice.</summary>
public sealed class StatefulSetControllerTests : IAsyncLifetime
{
    private ClusterEnvironment _env = null!;
    private CancellationTokenSource _stop = null!;
    private Task _controller = null!;

    private ApiResource Pods => _env.Server.Resource("v1", "pods");

    private ApiResource StatefulSets => _env.Server.Resource("apps/v1", "statefulsets");

    public async Task InitializeAsync()
    {
        _env = await ClusterEnvironment.StartAsync();
        _stop = new CancellationTokenSource();
        _controller = new StatefulSetController(_env.Server).RunAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _controller.WaitAsync(TestTimeouts.Default);
        _stop.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task OrderedReady_CreatesEachPodAfterTheOneBelowIsReady()
    {
        Create("ordered", replicas: 3, policy: "OrderedReady");
        await Poll.UntilAsync(() => PodNames().Length == 1);
        var first = PodNames();

        MarkReady("ordered-0");
        await Poll.UntilAsync(() => PodNames().Length == 2);
        var second = PodNames();
        MarkReady("ordered-1");
        await Poll.UntilAsync(() => PodNames().Length == 3);

        Assert.Equal(["ordered-0"], first);
        Assert.Equal(["ordered-0", "ordered-1"], second);
        Assert.Equal(["ordered-0", "ordered-1", "ordered-2"], PodNames());
    }

    [Fact]
    public async Task RollingUpdate_WithAPartition_ReplacesOnlyOrdinalsAtOrAboveIt_HighestFirst_AndReportsRevisions()
    {
        Create("rolled", replicas: 3, policy: "Parallel", partition: 1);
        await Poll.UntilAsync(() => PodNames().Length == 3);
        foreach (var pod in PodNames())
        {
            MarkReady(pod);
        }

        var revisions = Revisions();
        var sts = _env.Get(StatefulSets, "default", "rolled")!;
        sts["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["changed"] = "yes" };
        _env.Server.Store.Update(StatefulSets, "default", "rolled", sts, "test");
        await Poll.UntilAsync(() => Revisions().GetValueOrDefault("rolled-2") != revisions["rolled-2"]);
        var afterFirst = Revisions();
        await Poll.UntilAsync(() => PodNames().Length == 3);
        MarkReady("rolled-2");
        await Poll.UntilAsync(() => Revisions().GetValueOrDefault("rolled-1") != revisions["rolled-1"]);
        await Poll.UntilAsync(() => PodNames().Length == 3);
        MarkReady("rolled-1");
        await Poll.UntilAsync(() => (int?)_env.Get(StatefulSets, "default", "rolled")!["status"]?["updatedReplicas"] == 2);
        var status = _env.Get(StatefulSets, "default", "rolled")!["status"]!;

        Assert.Equal(revisions["rolled-1"], afterFirst.GetValueOrDefault("rolled-1"));
        Assert.Equal(revisions["rolled-0"], Revisions()["rolled-0"]);
        Assert.NotEqual(revisions["rolled-2"], Revisions()["rolled-2"]);
        Assert.Equal((2, (string?)status["updateRevision"]), ((int?)status["updatedReplicas"], Revisions()["rolled-2"]));
        Assert.NotEqual((string?)status["updateRevision"], (string?)status["currentRevision"]);
    }

    private void Create(string name, int replicas, string policy, int partition = 0) =>
        _env.Server.Store.Create(StatefulSets, "default", JsonNode.Parse($$"""
            { "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": { "name": "{{name}}", "namespace": "default" },
              "spec": { "replicas": {{replicas}}, "serviceName": "{{name}}", "podManagementPolicy": "{{policy}}",
                        "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "partition": {{partition}} } },
                        "selector": { "matchLabels": { "app": "{{name}}" } },
                        "template": { "metadata": { "labels": { "app": "{{name}}" } },
                                      "spec": { "containers": [ { "name": "c", "image": "k8scache/sidecar:test" } ] } } } }
            """)!.AsObject(), "test");

    private string[] PodNames() =>
        _env.Server.Store.List(Pods, "default", _ => true).Items.Select(p => (string)p["metadata"]!["name"]!).Order(StringComparer.Ordinal).ToArray();

    private Dictionary<string, string?> Revisions() =>
        _env.Server.Store.List(Pods, "default", _ => true).Items.ToDictionary(
            p => (string)p["metadata"]!["name"]!, p => (string?)p["metadata"]!["labels"]![StatefulSetController.RevisionLabel], StringComparer.Ordinal);

    private void MarkReady(string pod)
    {
        var live = _env.Get(Pods, "default", pod)!;
        live["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) };
        _env.Server.Store.Update(Pods, "default", pod, live, "kubelet", statusOnly: true);
    }
}
