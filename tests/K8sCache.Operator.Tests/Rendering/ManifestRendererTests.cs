using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Rendering;

public class ManifestRendererTests
{
    private static readonly RenderOptions Options = new() { DefaultSidecarImage = "k8scache/sidecar:test" };

    [Fact]
    public void Minimal_RendersEveryOwnedObject_InApplyOrder()
    {
        var objects = ManifestRenderer.Render(CacheGroups.Minimal(), Options);

        Assert.Equal(
            ["Service/scores-peers", "ConfigMap/scores-config", "StatefulSet/scores", "PodDisruptionBudget/scores"],
            objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"));
        Assert.All(objects, o =>
        {
            Assert.Equal("games", (string?)o["metadata"]!["namespace"]);
            var owner = o["metadata"]!["ownerReferences"]![0]!;
            Assert.Equal(("k8scache.io/v1alpha1", "CacheGroup", "scores", "uid-1", true, true),
                ((string?)owner["apiVersion"], (string?)owner["kind"], (string?)owner["name"], (string?)owner["uid"], (bool?)owner["controller"], (bool?)owner["blockOwnerDeletion"]));
            Assert.Equal("k8scache-operator", (string?)o["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        });
    }

    [Fact]
    public void Minimal_PeerService_IsHeadless_AndPublishesNotReadyPods()
    {
        var service = Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options), "Service");

        Assert.Equal("None", (string?)service["spec"]!["clusterIP"]);
        Assert.True((bool?)service["spec"]!["publishNotReadyAddresses"]);
        Assert.Equal(7070, (int?)service["spec"]!["ports"]![0]!["port"]);
        Assert.Equal("scores", (string?)service["spec"]!["selector"]!["app.kubernetes.io/instance"]);
    }

    [Fact]
    public void Minimal_StatefulSet_HasTheSidecarWithDefaults()
    {
        var sts = Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options), "StatefulSet");
        var spec = sts["spec"]!;
        var pod = spec["template"]!["spec"]!;
        var sidecar = Assert.Single(pod["containers"]!.AsArray())!;

        Assert.Equal((3, "scores-peers", "Parallel"), ((int?)spec["replicas"], (string?)spec["serviceName"], (string?)spec["podManagementPolicy"]));
        Assert.Equal("""{"app.kubernetes.io/instance":"scores","app.kubernetes.io/name":"k8scache"}""", spec["selector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal(("k8scache", "k8scache/sidecar:test"), ((string?)sidecar["name"], (string?)sidecar["image"]));
        Assert.Equal(["--config", "/etc/k8scache/config.json"], sidecar["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("status.podIP", (string?)sidecar["env"]![0]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal(["peer:7070", "api:7071", "grpc:7072", "metrics:9090", "resp:6379"], sidecar["ports"]!.AsArray().Select(p => $"{p!["name"]}:{p["containerPort"]}"));
        Assert.Equal("/readyz", (string?)sidecar["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)sidecar["livenessProbe"]!["httpGet"]!["path"]);
        var security = sidecar["securityContext"]!;
        Assert.Equal((false, true, true, "ALL", "RuntimeDefault"),
            ((bool?)security["allowPrivilegeEscalation"], (bool?)security["readOnlyRootFilesystem"], (bool?)security["runAsNonRoot"],
             (string?)security["capabilities"]!["drop"]![0], (string?)security["seccompProfile"]!["type"]));
        Assert.Equal(["k8scache-config:/etc/k8scache", "k8scache-peer-token:/var/run/k8scache"],
            sidecar["volumeMounts"]!.AsArray().Select(m => $"{m!["name"]}:{m["mountPath"]}"));
        Assert.Equal(["k8scache-config", "k8scache-peer-token"], pod["volumes"]!.AsArray().Select(v => (string?)v!["name"]));
        Assert.Equal("scores-peer-token", (string?)pod["volumes"]![1]!["secret"]!["secretName"]);
    }

    [Fact]
    public void Minimal_SidecarConfig_NamesTheHeadlessService_AndLeavesDefaultsToTheSidecar()
    {
        var configMap = Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options), "ConfigMap");
        using var config = JsonDocument.Parse((string)configMap["data"]!["config.json"]!);
        var root = config.RootElement.GetProperty("K8sCache");

        Assert.Equal("dns:///scores-peers.games.svc.cluster.local:7070", root.GetProperty("Discovery").GetString());
        Assert.Equal("/var/run/k8scache/peer-token", root.GetProperty("PeerTokenFile").GetString());
        Assert.Equal(["Discovery", "PeerTokenFile", "Groups"], root.EnumerateObject().Select(p => p.Name));
        var group = root.GetProperty("Groups")[0];
        Assert.Equal(["Name"], group.EnumerateObject().Select(p => p.Name));
        Assert.Equal("scores", group.GetProperty("Name").GetString());
        Assert.False(group.TryGetProperty("Loader", out _));
        Assert.False(root.TryGetProperty("Self", out _));
    }

    [Fact]
    public void Minimal_HasADisruptionBudget_AndNoNetworkPolicyUnlessEnabled()
    {
        var objects = ManifestRenderer.Render(CacheGroups.Minimal(), Options);

        Assert.Equal(1, (int?)Find(objects, "PodDisruptionBudget")["spec"]!["maxUnavailable"]);
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "NetworkPolicy");
    }

    [Fact]
    public void NetworkPolicy_OpensEachPortOnlyToItsSources_AndNoPortToEveryone()
    {
        var ingress = Find(ManifestRenderer.Render(CacheGroups.Full(), Options), "NetworkPolicy")["spec"]!["ingress"]!.AsArray();
        var onlyPeers = CacheGroups.Full();
        onlyPeers.Spec.NetworkPolicy = new NetworkPolicySpec { Enabled = true };
        var closed = Find(ManifestRenderer.Render(onlyPeers, Options), "NetworkPolicy")["spec"]!["ingress"]!.AsArray();

        Assert.Equal("shop", (string?)ingress[0]!["from"]![0]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/instance"]);
        Assert.Equal([7070], Ports(ingress[0]!));
        Assert.Equal("monitoring", (string?)ingress[1]!["from"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);
        Assert.Equal([9090], Ports(ingress[1]!));
        Assert.Equal("storefront", (string?)ingress[2]!["from"]![0]!["podSelector"]!["matchLabels"]!["app"]);
        Assert.Equal([8080], Ports(ingress[2]!));
        Assert.All(ingress, rule => Assert.NotNull(rule!["from"]));
        Assert.Equal([7070], Ports(Assert.Single(closed)!));
    }

    [Fact]
    public void Full_KeepsTheApplicationPodAndAddsTheSidecar()
    {
        var objects = ManifestRenderer.Render(CacheGroups.Full(), Options);
        var sts = Find(objects, "StatefulSet");
        var pod = sts["spec"]!["template"]!;
        var containers = pod["spec"]!["containers"]!.AsArray();

        Assert.Equal(5, (int?)sts["spec"]!["replicas"]);
        Assert.Equal(["shop"], containers.Select(c => (string?)c!["name"]));
        Assert.Equal("http://127.0.0.1:7071", (string?)containers[0]!["env"]![0]!["value"]);
        Assert.Equal("shop", (string?)pod["spec"]!["serviceAccountName"]);
        Assert.Equal(("shop", "checkout", "shop"), ((string?)pod["metadata"]!["labels"]!["app"], (string?)pod["metadata"]!["annotations"]!["team"], (string?)pod["metadata"]!["labels"]!["app.kubernetes.io/instance"]));
        // Beside an application, a native sidecar: first to start (after its startup probe), last to stop.
        var sidecar = Assert.Single(pod["spec"]!["initContainers"]!.AsArray())!;
        Assert.Equal(("k8scache", "Always", "/healthz"), ((string?)sidecar["name"], (string?)sidecar["restartPolicy"], (string?)sidecar["startupProbe"]!["httpGet"]!["path"]));
        Assert.Equal(("registry.example.com/k8scache/sidecar:2.0", "Always"), ((string?)sidecar["image"], (string?)sidecar["imagePullPolicy"]));
        Assert.Equal("""{"requests":{"cpu":"250m","memory":"512Mi"},"limits":{"memory":"512Mi"}}""", sidecar["resources"]!.ToJsonString());
    }

    [Fact]
    public void ThePodsGracePeriod_LeavesRoomForTheHandOver_UnlessTheTemplateAsksForMore()
    {
        static long? Grace(CacheGroup cg) => Find(ManifestRenderer.Render(cg, Options), "StatefulSet")["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"] is { } grace
            ? long.Parse(grace.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : null;
        var longer = CacheGroups.Full();
        longer.Spec.Template!["spec"]!["terminationGracePeriodSeconds"] = 120;
        var shorter = CacheGroups.Full();
        shorter.Spec.Template!["spec"]!["terminationGracePeriodSeconds"] = 5;

        Assert.Equal((45L, 45L, 120L, 45L), (Grace(CacheGroups.Minimal()), Grace(CacheGroups.Full()), Grace(longer), Grace(shorter)));
    }

    [Fact]
    public void Full_SidecarConfig_CarriesEveryGroupLoaderAndLimit()
    {
        var configMap = Find(ManifestRenderer.Render(CacheGroups.Full(), Options), "ConfigMap");
        using var config = JsonDocument.Parse((string)configMap["data"]!["config.json"]!);
        var root = config.RootElement.GetProperty("K8sCache");
        var groups = root.GetProperty("Groups");

        Assert.Equal((512, 262144), (root.GetProperty("Limits").GetProperty("MaxKeyBytes").GetInt32(), root.GetProperty("Limits").GetProperty("MaxValueBytes").GetInt32()));
        Assert.Equal("""{"Name":"products","MaxBytes":"256Mi","Ttl":"10m","Loader":{"Url":"http://localhost:8080/products/{key}","Timeout":"500ms"}}""", Compact(groups[0]));
        Assert.Equal("""{"Name":"prices","MaxBytes":"32Mi","Weight":2,"Loader":{"Grpc":"http://localhost:9000"}}""", Compact(groups[1]));
        Assert.Equal("""{"Name":"sessions","MaxBytes":"16Mi","Ttl":"30m","Eviction":"Lru"}""", Compact(groups[2]));
    }

    [Fact]
    public void Render_IsDeterministic()
    {
        var a = ManifestRenderer.Render(CacheGroups.Full(), Options).Select(o => o.ToJsonString());
        var b = ManifestRenderer.Render(CacheGroups.Full(), Options).Select(o => o.ToJsonString());

        Assert.Equal(a, b);
    }

    [Fact]
    public void PeerTokenSecret_HoldsTheTokenBase64()
    {
        var secret = ManifestRenderer.PeerTokenSecret(CacheGroups.Minimal(), "s3cret-token");

        Assert.Equal("scores-peer-token", (string?)secret["metadata"]!["name"]);
        Assert.Equal("s3cret-token", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["peer-token"]!)));
    }

    [Fact]
    public async Task EveryRenderedObject_IsValidAgainstKubernetesTypes_Strictly()
    {
        var objects = new List<JsonNode>();
        foreach (var cg in new[] { CacheGroups.Minimal(), CacheGroups.Full() })
        {
            objects.AddRange(ManifestRenderer.Render(cg, Options));
            objects.Add(ManifestRenderer.PeerTokenSecret(cg, "token-token-token-token"));
        }

        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }

    [Fact]
    public async Task TheStrictCheck_CatchesAMisspelledField()
    {
        // Proof that the check above can fail: the same objects with one field misspelled are refused.
        var sts = Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options), "StatefulSet");
        sts["spec"]!["replicaz"] = 3;
        sts["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolice"] = "Always";

        var errors = await KubernetesSchema.ValidateAsync([sts]);

        Assert.Contains(errors, e => e.Contains("spec.replicaz: unknown field", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("imagePullPolice: unknown field", StringComparison.Ordinal));
    }

    [Fact]
    public void ASidecarMemoryLimit_ReachesTheSidecar_ThroughTheDownwardApi_AndNoLimitPassesNothing()
    {
        static JsonArray Env(CacheGroup cg) =>
            Find(ManifestRenderer.Render(cg, Options), "StatefulSet")["spec"]!["template"]!["spec"]!.AsObject()
                .Select(p => p.Value).OfType<JsonArray>().SelectMany(a => a).First(c => (string?)c!["name"] == "k8scache")!["env"]!.AsArray();

        var limited = Env(CacheGroups.Full()).Single(e => (string?)e!["name"] == "K8sCache__MemoryLimit")!;

        Assert.Equal("""{"containerName":"k8scache","resource":"limits.memory"}""", limited["valueFrom"]!["resourceFieldRef"]!.ToJsonString());
        Assert.DoesNotContain(Env(CacheGroups.Minimal()), e => (string?)e!["name"] == "K8sCache__MemoryLimit");
    }

    [Fact]
    public async Task AnOtlpCollector_ReachesEverySidecar_AsTheStandardVariables_WithThePodAsResource()
    {
        static JsonArray Env(JsonObject sts) => sts["spec"]!["template"]!["spec"]!.AsObject()
            .Select(p => p.Value).OfType<JsonArray>().SelectMany(a => a).First(c => (string?)c!["name"] == "k8scache")!["env"]!.AsArray();
        var traced = Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options with { OtlpEndpoint = "http://otel-collector.monitoring:4318", OtlpProtocol = "http/protobuf" }), "StatefulSet");

        var env = Env(traced).ToDictionary(e => (string)e!["name"]!, e => e);
        Assert.Equal("http://otel-collector.monitoring:4318", (string?)env["OTEL_EXPORTER_OTLP_ENDPOINT"]!["value"]);
        Assert.Equal("http/protobuf", (string?)env["OTEL_EXPORTER_OTLP_PROTOCOL"]!["value"]);
        Assert.Equal("k8scache-sidecar", (string?)env["OTEL_SERVICE_NAME"]!["value"]);
        Assert.Equal("metadata.name", (string?)env["POD_NAME"]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.namespace", (string?)env["POD_NAMESPACE"]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal($"k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8scache.cachegroup={CacheGroups.Minimal().Metadata.Name}",
            (string?)env["OTEL_RESOURCE_ATTRIBUTES"]!["value"]);
        // The kubelet expands $(VAR) only from variables defined before: the pod's name and namespace come first.
        var names = Env(traced).Select(e => (string)e!["name"]!).ToList();
        Assert.True(names.IndexOf("POD_NAMESPACE") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES"));
        Assert.DoesNotContain(Env(Find(ManifestRenderer.Render(CacheGroups.Minimal(), Options), "StatefulSet")), e => ((string)e!["name"]!).StartsWith("OTEL_", StringComparison.Ordinal));
        Assert.Empty(await KubernetesSchema.ValidateAsync([traced]));
    }

    [Fact]
    public void RespUnixSocket_IsAnEmptyDir_MountedIntoTheSidecarAndEveryApplicationContainer()
    {
        var spec = Find(ManifestRenderer.Render(CacheGroups.Full(), Options), "StatefulSet")["spec"]!["template"]!["spec"]!;
        var config = (string)Find(ManifestRenderer.Render(CacheGroups.Full(), Options), "ConfigMap")["data"]!["config.json"]!;

        Assert.Contains(spec["volumes"]!.AsArray(), v => (string?)v!["name"] == "k8scache-redis" && v["emptyDir"] is not null);
        var containers = spec["initContainers"]!.AsArray().Concat(spec["containers"]!.AsArray());
        Assert.All(containers, c => Assert.Contains(c!["volumeMounts"]!.AsArray(),
            m => (string?)m!["name"] == "k8scache-redis" && (string?)m["mountPath"] == "/var/run/k8scache-redis"));
        Assert.Contains("\"UnixSocket\": \"/var/run/k8scache-redis/redis.sock\"", config, StringComparison.Ordinal);
        Assert.Contains("\"DefaultGroup\": \"sessions\"", config, StringComparison.Ordinal);
    }

    [Fact]
    public void RespDefaultGroup_ThatIsNoGroup_IsAnInvalidSpec()
    {
        var cg = CacheGroups.Minimal();
        cg.Spec.Resp = new RespSpec { DefaultGroup = "nope" };

        var e = Assert.Throws<InvalidSpecException>(() => ManifestRenderer.Render(cg, Options));
        Assert.StartsWith("spec.resp.defaultGroup: 'nope' is not one of spec.groups", e.Message, StringComparison.Ordinal);
    }

    private static JsonObject Find(IEnumerable<JsonObject> objects, string kind) => objects.Single(o => (string?)o["kind"] == kind);

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static int[] Ports(JsonNode rule) => rule["ports"]!.AsArray().Select(p => (int)p!["port"]!).ToArray();
}
