using k8s;
using System.Text.Json.Nodes;
using K8sCache.Operator.Hosting;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Controller;

/// <summary>The controller loop as a whole: one CacheGroup's failure never stops the others, a loop that stops making
/// progress is visible to the health check, and owned objects deleted behind its back (the peer-token Secret) are
/// noticed by their watch and made anew.</summary>
public sealed class ControllerResilienceTests : IAsyncLifetime
{
    private ClusterEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task CacheGroupsThatCannotBeRendered_DoNotStopTheWorkers()
    {
        CreateCacheGroup("bad-one", """{ "spec": { "containers": [ { "name": "a", "image": "a", "ports": [ { "containerPort": "8080" } ] } ] } }""");
        CreateCacheGroup("bad-two", """{ "spec": { "containers": "not a list" } }""");
        using var runtime = Runtime(new FaultInjectingHandler(), workers: 2);
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        try
        {
            await Poll.UntilAsync(() => Degraded("bad-one") == "InvalidSpec" && Degraded("bad-two") == "InvalidSpec");
            CreateCacheGroup("good", null);
            await Poll.UntilAsync(() => Sts("good") is not null);

            Assert.NotNull(Sts("good"));
            Assert.Equal(("InvalidSpec", "InvalidSpec"), (Degraded("bad-one"), Degraded("bad-two")));
            Assert.Null(runtime.Unhealthy);
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public async Task EveryReconcile_IsASpan_WithItsCacheGroupAndResult()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "K8sCache.Operator",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        CreateCacheGroup("traced-bad", """{ "spec": { "containers": "not a list" } }""");
        CreateCacheGroup("traced-good", null);
        using var runtime = Runtime(new FaultInjectingHandler(), workers: 1);
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        try
        {
            string? Result(string name) => spans.Where(s => (string?)s.GetTagItem("k8scache.cachegroup") == name)
                .Select(s => (string?)s.GetTagItem("k8scache.result")).FirstOrDefault();
            await Poll.UntilAsync(() => Result("traced-good") is not null && Result("traced-bad") is not null);

            Assert.Equal("success", Result("traced-good"));
            Assert.Equal("error", Result("traced-bad"));
            var bad = spans.First(s => (string?)s.GetTagItem("k8scache.cachegroup") == "traced-bad");
            Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, bad.Status);
            Assert.Equal("k8scache.reconcile", bad.OperationName);
            Assert.NotNull(bad.GetTagItem("k8s.namespace.name"));
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public async Task ALoopThatStopsMakingProgress_FailsTheHealthCheck()
    {
        var handler = new FaultInjectingHandler();
        using var runtime = Runtime(handler, workers: 1, stallAfter: TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        try
        {
            CreateCacheGroup("first", null);
            await Poll.UntilAsync(() => Sts("first") is not null);
            var healthyBefore = runtime.Unhealthy;

            // Open watches keep streaming; every new request hangs, as on a half-open connection.
            handler.Stall = true;
            CreateCacheGroup("second", null);
            CreateCacheGroup("third", null);
            await Poll.UntilAsync(() => runtime.Unhealthy is not null);

            Assert.Null(healthyBefore);
            Assert.Contains("no reconcile finished", runtime.Unhealthy, StringComparison.Ordinal);
        }
        finally
        {
            handler.Stall = false;
            await stop.CancelAsync();
            await run.WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public async Task ADeletedPeerTokenSecret_IsMadeAnewThroughItsWatch_AndThePodsRollOntoTheNewToken()
    {
        using var runtime = Runtime(new FaultInjectingHandler(), workers: 1);
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        try
        {
            CreateCacheGroup("tokens", null);
            await Poll.UntilAsync(() => Sts("tokens") is not null);
            ReportReady("tokens");
            // Ready and up to date: nothing requeues the CacheGroup on a timer any more, only a watch event can.
            await Poll.UntilAsync(() => Condition("tokens", "Progressing") == "False");
            var oldToken = Token("tokens");
            var oldHash = TemplateTokenHash("tokens");

            _env.Server.Store.Delete(_env.Server.Resource("v1", "secrets"), "default", "tokens-peer-token", _env.Server.Resources);
            await Poll.UntilAsync(() => Token("tokens") is { } t && t != oldToken && TemplateTokenHash("tokens") != oldHash);

            Assert.NotNull(Token("tokens"));
            Assert.NotEqual(oldToken, Token("tokens"));
            Assert.Equal(ManifestRenderer.TokenHash(Token("tokens")!), TemplateTokenHash("tokens"));
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TestTimeouts.Default);
        }
    }

    private void ReportReady(string name)
    {
        var sts = _env.Server.Resource("apps/v1", "statefulsets");
        var live = Sts(name)!;
        live["status"] = new JsonObject
        {
            ["replicas"] = 1,
            ["readyReplicas"] = 1,
            ["updatedReplicas"] = 1,
            ["observedGeneration"] = live["metadata"]!["generation"]!.DeepClone(),
        };
        _env.Server.Store.Update(sts, "default", name, live, "kube-controller-manager", statusOnly: true);
    }

    private string? Condition(string name, string type) =>
        (string?)_env.Get(_env.CacheGroups, "default", name)?["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => (string?)c?["type"] == type)?["status"];

    private string? Token(string name) =>
        (string?)_env.Get(_env.Server.Resource("v1", "secrets"), "default", $"{name}-peer-token")?["data"]?["peer-token"] is { } encoded
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded))
            : null;

    private string? TemplateTokenHash(string name) =>
        (string?)Sts(name)?["spec"]?["template"]?["metadata"]?["annotations"]?[StatefulSetRenderer.PeerTokenHashAnnotation];

    private OperatorRuntime Runtime(FaultInjectingHandler handler, int workers, TimeSpan? stallAfter = null) => new(
        KubernetesClientConfiguration.BuildConfigFromConfigFile(_env.Kubeconfig),
        new OperatorOptions
        {
            LeaderElection = false,
            Workers = workers,
            StallAfter = stallAfter ?? TimeSpan.FromMinutes(2),
            SidecarImage = "k8scache/sidecar:test",
        },
        TimeProvider.System, NullLoggerFactory.Instance, handler);

    private void CreateCacheGroup(string name, string? template)
    {
        var cg = JsonNode.Parse($$"""
            { "apiVersion": "k8scache.io/v1alpha1", "kind": "CacheGroup", "metadata": { "name": "{{name}}", "namespace": "default" },
              "spec": { "replicas": 1, "groups": [ { "name": "scores" } ] } }
            """)!.AsObject();
        if (template is not null)
        {
            cg["spec"]!["template"] = JsonNode.Parse(template);
        }

        _env.Server.Store.Create(_env.CacheGroups, "default", cg, "test");
    }

    private string? Degraded(string name) =>
        (string?)_env.Get(_env.CacheGroups, "default", name)?["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => (string?)c?["type"] == "Degraded")?["reason"];

    private JsonObject? Sts(string name) => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", name);
}
