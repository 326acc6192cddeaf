using System.Text.Json.Nodes;
using K8sCache.Operator.Controller;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Rendering;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>A reconciler wired to the API test server, driven by hand (no informers), so each test states exactly
/// which reconciles happen.</summary>
internal sealed class ReconcilerHarness : IAsyncDisposable
{
    private ReconcilerHarness(ClusterEnvironment environment, ClusterApi client)
    {
        Environment = environment;
        Client = client;
        Reconciler = new CacheGroupReconciler(client, new RenderOptions { DefaultSidecarImage = "k8scache/sidecar:test" },
            new EventRecorder(client, TimeProvider.System, NullLogger.Instance), TimeProvider.System, NullLogger.Instance);
    }

    public ClusterEnvironment Environment { get; }

    public ClusterApi Client { get; }

    public CacheGroupReconciler Reconciler { get; }

    public static async Task<ReconcilerHarness> StartAsync()
    {
        var environment = await ClusterEnvironment.StartAsync();
        return new ReconcilerHarness(environment, environment.CreateClient());
    }

    public async Task<JsonObject> CreateCacheGroupAsync(string ns, string name, int replicas = 3, string groupsJson = """[{"name":"scores","ttl":"5m"}]""")
    {
        var cg = JsonNode.Parse($$"""
            { "apiVersion": "k8scache.io/v1alpha1", "kind": "CacheGroup", "metadata": { "name": "{{name}}", "namespace": "{{ns}}" },
              "spec": { "replicas": {{replicas}}, "groups": {{groupsJson}} } }
            """)!.AsObject();
        return await Environment.CreateAsync(ResourceType.CacheGroups, ns, cg);
    }

    public Task<ReconcileResult> ReconcileAsync(string ns, string name) => Reconciler.ReconcileAsync(ns, name, CancellationToken.None);

    /// <summary>Plays the StatefulSet controller: writes the status it would report.</summary>
    public void ReportStatefulSetStatus(string ns, string name, int replicas, int ready, int updated)
    {
        var sts = Environment.Server.Resource("apps/v1", "statefulsets");
        var live = Environment.Server.Store.Get(sts, ns, name)!;
        live["status"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["readyReplicas"] = ready,
            ["updatedReplicas"] = updated,
            ["observedGeneration"] = live["metadata"]!["generation"]!.DeepClone(),
        };
        Environment.Server.Store.Update(sts, ns, name, live, "kube-controller-manager", statusOnly: true);
    }

    public JsonObject? Get(string apiVersion, string plural, string ns, string name) =>
        Environment.Server.Store.Get(Environment.Server.Resource(apiVersion, plural), ns, name);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Environment.DisposeAsync();
    }
}
