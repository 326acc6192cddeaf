using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sCache.Operator.Controller;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Controller;

/// <summary>The reconcile against the API test server, one explicit reconcile at a time.</summary>
public sealed class CacheGroupReconcilerTests : IAsyncLifetime
{
    private ReconcilerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ReconcilerHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Create_MakesEveryOwnedObject_WithOwnerReferences()
    {
        var cg = await _harness.CreateCacheGroupAsync("games", "scores");

        await _harness.ReconcileAsync("games", "scores");

        var uid = (string?)cg["metadata"]!["uid"];
        foreach (var (apiVersion, plural, name) in new[]
        {
            ("v1", "services", "scores-peers"), ("v1", "configmaps", "scores-config"), ("v1", "secrets", "scores-peer-token"),
            ("apps/v1", "statefulsets", "scores"), ("policy/v1", "poddisruptionbudgets", "scores"),
        })
        {
            var obj = _harness.Get(apiVersion, plural, "games", name);
            Assert.True(obj is not null, $"{plural}/{name} missing");
            var owner = obj!["metadata"]!["ownerReferences"]![0]!;
            Assert.Equal((uid, "CacheGroup", true), ((string?)owner["uid"], (string?)owner["kind"], (bool?)owner["controller"]));
        }
    }

    [Fact]
    public async Task SecondReconcile_OfAnUnchangedWorld_WritesNothing()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var before = _harness.Environment.Server.Writes;

        var result = await _harness.ReconcileAsync("games", "scores");

        Assert.Equal(0, result.Writes);
        Assert.Equal(before, _harness.Environment.Server.Writes);
    }

    [Fact]
    public async Task APodTemplateFieldTheLibrarysModelsLack_ReachesTheStatefulSet_AndIsNoDriftAfterwards()
    {
        // A field of a newer cluster's PodSpec: the library's model drops it, so the operator must not route the
        // template through the model.
        const string field = "schedulingGatesFromTheFuture";
        var cg = JsonNode.Parse($$"""
            { "apiVersion": "k8scache.io/v1alpha1", "kind": "CacheGroup", "metadata": { "name": "scores", "namespace": "games" },
              "spec": { "replicas": 3, "groups": [{"name":"scores","ttl":"5m"}],
                        "template": { "spec": { "{{field}}": [{"name":"wait"}], "containers": [{"name":"app","image":"app:1"}] } } } }
            """)!.AsObject();
        await _harness.Environment.CreateAsync(ResourceType.CacheGroups, "games", cg);
        var modelled = KubernetesJson.Serialize(KubernetesJson.Deserialize<V1PodSpec>(cg["spec"]!["template"]!["spec"]!.ToJsonString()));

        await _harness.ReconcileAsync("games", "scores");
        var second = await _harness.ReconcileAsync("games", "scores");

        Assert.DoesNotContain(field, modelled, StringComparison.Ordinal);
        var pod = _harness.Get("apps/v1", "statefulsets", "games", "scores")!["spec"]!["template"]!["spec"]!;
        Assert.Equal("""[{"name":"wait"}]""", pod[field]?.ToJsonString());
        Assert.Equal(0, second.Writes);
    }

    [Fact]
    public async Task StatefulSetStatus_IsReflectedInStatusAndConditions()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");

        _harness.ReportStatefulSetStatus("games", "scores", replicas: 3, ready: 1, updated: 3);
        var progressing = await _harness.ReconcileAsync("games", "scores");
        var partial = Status();
        _harness.ReportStatefulSetStatus("games", "scores", replicas: 3, ready: 3, updated: 3);
        var settled = await _harness.ReconcileAsync("games", "scores");
        var ready = Status();

        Assert.Equal(CacheGroupReconciler.ProgressingRequeue, progressing.RequeueAfter);
        Assert.Equal((3, 1), ((int?)partial["replicas"], (int?)partial["readyReplicas"]));
        Assert.Equal(("True", "True", "True"), (Condition(partial, "Available"), Condition(partial, "Progressing"), Condition(partial, "Degraded")));
        Assert.Equal("TooFewReplicasReady", (string?)FindCondition(partial, "Degraded")["reason"]);
        Assert.Null(settled.RequeueAfter);
        Assert.Equal(("True", "False", "False"), (Condition(ready, "Available"), Condition(ready, "Progressing"), Condition(ready, "Degraded")));
        Assert.Equal("app.kubernetes.io/instance=scores,app.kubernetes.io/name=k8scache", (string?)ready["selector"]);
        Assert.Equal((string?)FindCondition(partial, "Available")["lastTransitionTime"], (string?)FindCondition(ready, "Available")["lastTransitionTime"]);
    }

    [Fact]
    public async Task SpecChange_BumpsGeneration_AndStatusObservesIt_AndUpdatesTheStatefulSet()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var cg = _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!;
        Assert.Equal(1, (long?)cg["metadata"]!["generation"]);

        cg["spec"]!["replicas"] = 5;
        await _harness.Environment.ReplaceAsync(ResourceType.CacheGroups, "games", "scores", cg);
        await _harness.ReconcileAsync("games", "scores");

        var after = _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!;
        Assert.Equal(2, (long?)after["metadata"]!["generation"]);
        Assert.Equal(2, (long?)after["status"]!["observedGeneration"]);
        Assert.Equal(5, (int?)_harness.Get("apps/v1", "statefulsets", "games", "scores")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task StatusWrites_DoNotBumpGeneration()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        _harness.ReportStatefulSetStatus("games", "scores", 3, 3, 3);
        await _harness.ReconcileAsync("games", "scores");

        Assert.Equal(1, (long?)_harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!["metadata"]!["generation"]);
    }

    [Fact]
    public async Task PeerTokenSecret_IsCreatedOnce_AndSurvivesReconcilesAndSpecChanges()
    {
        var cg = await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var token = (string?)_harness.Get("v1", "secrets", "games", "scores-peer-token")!["data"]!["peer-token"];

        var live = _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!;
        live["spec"]!["groups"]![0]!["maxBytes"] = "128Mi";
        await _harness.Environment.ReplaceAsync(ResourceType.CacheGroups, "games", "scores", live);
        await _harness.ReconcileAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");

        Assert.Equal(64, Convert.FromBase64String(token!).Length);
        Assert.Equal(token, (string?)_harness.Get("v1", "secrets", "games", "scores-peer-token")!["data"]!["peer-token"]);
        Assert.Contains("128Mi", (string?)_harness.Get("v1", "configmaps", "games", "scores-config")!["data"]!["config.json"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_IsRepaired_ByTheNextReconcile()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var service = _harness.Get("v1", "services", "games", "scores-peers")!;
        service["spec"]!["publishNotReadyAddresses"] = false;
        await _harness.Environment.ReplaceAsync(ResourceType.Services, "games", "scores-peers", service);

        var result = await _harness.ReconcileAsync("games", "scores");

        Assert.Equal(1, result.Writes);
        Assert.True((bool?)_harness.Get("v1", "services", "games", "scores-peers")!["spec"]!["publishNotReadyAddresses"]);
    }

    [Fact]
    public async Task Delete_OfTheCacheGroup_CollectsEveryOwnedObject()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");

        await _harness.Environment.DeleteAsync(ResourceType.CacheGroups, "games", "scores");
        var result = await _harness.ReconcileAsync("games", "scores");

        Assert.Equal(0, result.Writes);
        Assert.Null(_harness.Get("apps/v1", "statefulsets", "games", "scores"));
        Assert.Null(_harness.Get("v1", "secrets", "games", "scores-peer-token"));
        Assert.Null(_harness.Get("v1", "services", "games", "scores-peers"));
    }

    [Fact]
    public async Task Events_AreRecordedOnCreateAndScale()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var cg = _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!;
        cg["spec"]!["replicas"] = 4;
        await _harness.Environment.ReplaceAsync(ResourceType.CacheGroups, "games", "scores", cg);
        await _harness.ReconcileAsync("games", "scores");

        var events = await _harness.Client.ListAsync(ResourceType.Events, "games", null, CancellationToken.None);

        Assert.Contains(events.Items, e => (string?)e["reason"] == "Created" && ((string?)e["message"])!.Contains("3 replicas", StringComparison.Ordinal));
        Assert.Contains(events.Items, e => (string?)e["reason"] == "Scaled" && (string?)e["message"] == "Scaled from 3 to 4 replicas");
        Assert.All(events.Items, e => Assert.Equal("scores", (string?)e["involvedObject"]!["name"]));
    }

    [Fact]
    public async Task InvalidTemplate_MarksTheCacheGroupDegraded_NamingTheField_AndChangesNothing()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await SetTemplateAsync("""{ "spec": { "containers": [ { "name": "app", "image": "app:1", "ports": [ { "containerPort": "8080" } ] } ] } }""");

        var failure = await Assert.ThrowsAsync<ReconcileException>(() => _harness.ReconcileAsync("games", "scores"));
        var degraded = FindCondition(Status(), "Degraded");
        var events = await _harness.Client.ListAsync(ResourceType.Events, "games", null, CancellationToken.None);

        Assert.Equal("InvalidSpec", failure.Reason);
        Assert.Equal(("True", "InvalidSpec"), ((string?)degraded["status"], (string?)degraded["reason"]));
        Assert.Contains("spec.template.spec.containers[0].ports[0].containerPort: \"8080\" is not a port number", (string?)degraded["message"], StringComparison.Ordinal);
        Assert.Contains(events.Items, e => (string?)e["reason"] == "InvalidSpec");
        Assert.Null(_harness.Get("apps/v1", "statefulsets", "games", "scores"));

        await SetTemplateAsync("""{ "spec": { "containers": [ { "name": "app", "image": "app:1", "ports": [ { "containerPort": 8080 } ] } ] } }""");
        await _harness.ReconcileAsync("games", "scores");

        Assert.Equal("False", Condition(Status(), "Degraded"));
        Assert.NotNull(_harness.Get("apps/v1", "statefulsets", "games", "scores"));
    }

    [Fact]
    public async Task FieldsRemovedFromTheSpec_AreRemovedFromTheCluster()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await SetTemplateAsync("""
            { "spec": { "hostNetwork": true, "containers": [ { "name": "app", "image": "app:1",
              "securityContext": { "privileged": true }, "resources": { "limits": { "memory": "1Gi" } } } ] } }
            """);
        await _harness.ReconcileAsync("games", "scores");
        var before = Pod();

        await SetTemplateAsync("""{ "spec": { "containers": [ { "name": "app", "image": "app:1" } ] } }""");
        var result = await _harness.ReconcileAsync("games", "scores");
        var after = Pod();

        Assert.Equal((true, true, "1Gi"), ((bool?)before["hostNetwork"], (bool?)before["containers"]![0]!["securityContext"]!["privileged"], (string?)before["containers"]![0]!["resources"]!["limits"]!["memory"]));
        Assert.True(result.Writes > 0);
        Assert.Null(after["hostNetwork"]);
        Assert.Null(after["containers"]![0]!["securityContext"]);
        Assert.Null(after["containers"]![0]!["resources"]);
    }

    [Fact]
    public async Task NetworkPolicy_IsMadeWhenEnabled_AndRemovedWhenDisabled()
    {
        await _harness.CreateCacheGroupAsync("games", "scores");
        await _harness.ReconcileAsync("games", "scores");
        var before = _harness.Get("networking.k8s.io/v1", "networkpolicies", "games", "scores-peers");

        await SetSpecFieldAsync("networkPolicy", """{ "enabled": true, "metricsFrom": [ { "namespaceSelector": {} } ] }""");
        await _harness.ReconcileAsync("games", "scores");
        var enabled = _harness.Get("networking.k8s.io/v1", "networkpolicies", "games", "scores-peers");
        await SetSpecFieldAsync("networkPolicy", """{ "enabled": false }""");
        await _harness.ReconcileAsync("games", "scores");
        var disabled = _harness.Get("networking.k8s.io/v1", "networkpolicies", "games", "scores-peers");

        Assert.Null(before);
        Assert.Equal(2, enabled!["spec"]!["ingress"]!.AsArray().Count);
        Assert.Null(disabled);
    }

    [Fact]
    public async Task Reconcile_OfAMissingCacheGroup_DoesNothing()
    {
        var result = await _harness.ReconcileAsync("games", "nobody");

        Assert.Equal(0, result.Writes);
    }

    private Task SetTemplateAsync(string template) => SetSpecFieldAsync("template", template);

    private async Task SetSpecFieldAsync(string field, string json)
    {
        var cg = _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!;
        cg["spec"]![field] = JsonNode.Parse(json);
        await _harness.Environment.ReplaceAsync(ResourceType.CacheGroups, "games", "scores", cg);
    }

    private JsonNode Pod() => _harness.Get("apps/v1", "statefulsets", "games", "scores")!["spec"]!["template"]!["spec"]!;

    private JsonObject Status() => _harness.Get("k8scache.io/v1alpha1", "cachegroups", "games", "scores")!["status"]!.AsObject();

    private static string? Condition(JsonObject status, string type) => (string?)FindCondition(status, type)["status"];

    private static JsonNode FindCondition(JsonObject status, string type) =>
        status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == type)!;
}
