using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Kubernetes;

public sealed class ClusterApiTests : ApiServerTest
{
    [Fact]
    public async Task TheLibrarysErrors_BecomeTheStatusReasonAndCode()
    {
        var cm = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "a" } };
        await Client.WriteAsync((api, t) => api.CoreV1.CreateNamespacedConfigMapAsync(cm, "ns", cancellationToken: t), CancellationToken.None);

        var exists = await Assert.ThrowsAsync<ClusterApiException>(() =>
            Client.WriteAsync((api, t) => api.CoreV1.CreateNamespacedConfigMapAsync(cm, "ns", cancellationToken: t), CancellationToken.None));
        var stale = (await Client.ReadAsync((api, t) => api.CoreV1.ReadNamespacedConfigMapAsync("a", "ns", cancellationToken: t), CancellationToken.None))!;
        await Client.WriteAsync((api, t) => api.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "a", "ns", cancellationToken: t), CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<ClusterApiException>(() =>
            Client.WriteAsync((api, t) => api.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "a", "ns", cancellationToken: t), CancellationToken.None));

        Assert.Equal((409, "AlreadyExists"), (exists.Code, exists.Reason));
        Assert.Equal((409, "Conflict"), (conflict.Code, conflict.Reason));
        Assert.Contains("the object has been modified", conflict.StatusMessage, StringComparison.Ordinal);
        Assert.Null(await Client.ReadAsync((api, t) => api.CoreV1.ReadNamespacedConfigMapAsync("missing", "ns", cancellationToken: t), CancellationToken.None));
        Assert.Null(await Client.GetAsync(ResourceType.ConfigMaps, "ns", "missing", CancellationToken.None));
        Assert.False(await Client.DeleteAsync(ResourceType.ConfigMaps, "ns", "missing", CancellationToken.None));
    }

    [Fact]
    public async Task AnUnreachableServer_IsServiceUnavailable_NamingTheAddress()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Env.Kubeconfig);
        config.Host = "http://127.0.0.1:1";
        using var api = new ClusterApi(config);

        var refused = await Assert.ThrowsAsync<ClusterApiException>(() =>
            api.ReadAsync((k, t) => k.CoreV1.ReadNamespacedConfigMapAsync("a", "ns", cancellationToken: t), CancellationToken.None));

        Assert.Equal(503, refused.Code);
        Assert.Contains("127.0.0.1:1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerSideApply_RemovesWhatTheManagerNoLongerApplies_AndReportsConflicts()
    {
        await Client.ApplyAsync(ResourceType.ConfigMaps, Cm(("a", "1"), ("b", "2")), "operator", force: false, CancellationToken.None);
        var live = (await Client.GetAsync(ResourceType.ConfigMaps, "ns", "cm", CancellationToken.None))!;
        live["data"]!["c"] = "mine";
        live["data"]!["a"] = "changed";
        await Env.ReplaceAsync(ResourceType.ConfigMaps, "ns", "cm", live);

        var conflict = await Assert.ThrowsAsync<ClusterApiException>(() =>
            Client.ApplyAsync(ResourceType.ConfigMaps, Cm(("a", "1")), "operator", force: false, CancellationToken.None));
        var forced = await Client.ApplyAsync(ResourceType.ConfigMaps, Cm(("a", "1")), "operator", force: true, CancellationToken.None);

        Assert.Equal(409, conflict.Code);
        Assert.Contains(".data.a", conflict.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("""{"a":"1","c":"mine"}""", forced["data"]!.ToJsonString());
    }

    private static JsonObject Cm(params (string Key, string Value)[] data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "cm", ["namespace"] = "ns" },
        ["data"] = new JsonObject(data.Select(d => new KeyValuePair<string, JsonNode?>(d.Key, d.Value))),
    };
}
