using k8s;
using System.Text.Json.Nodes;
using K8sCache.Operator.Hosting;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Operator.Yaml;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Operator.Tests.Chart;

/// <summary>The Helm chart: lint, render with default and non-default values, every object valid against Kubernetes'
/// types, the CRD identical to crds/, and RBAC that grants exactly what the operator calls.</summary>
public class HelmChartTests
{
    private static readonly string[] NonDefault =
    [
        "--set", "watchNamespaces={games,shop}", "--set", "leaderElection.enabled=false", "--set", "replicaCount=1",
        "--set", "metrics.service.enabled=true", "--set", "logLevel=Debug", "--set", "image.tag=9.9.9",
        "--set", "nodeSelector.disk=ssd", "--set", "podAnnotations.team=caches", "--set", "serviceAccount.name=cache-op",
        "--set", "tolerations[0].key=dedicated", "--set", "tolerations[0].operator=Exists",
        "--set", "clusterDomain=corp.example",
    ];

    [Fact]
    public async Task Lint_Strict_PassesWithDefaultAndNonDefaultValues()
    {
        var defaults = await Helm.RunAsync("lint", "--strict", Helm.Chart);
        var custom = await Helm.RunAsync(["lint", "--strict", Helm.Chart, .. NonDefault]);

        Assert.True(defaults.ExitCode == 0, defaults.Output + defaults.Error);
        Assert.True(custom.ExitCode == 0, custom.Output + custom.Error);
    }

    [Fact]
    public async Task Lint_RefusesValuesTheSchemaForbids()
    {
        var (exit, output, error) = await Helm.RunAsync("lint", "--strict", Helm.Chart, "--set", "logLevel=Loud");

        Assert.NotEqual(0, exit);
        Assert.Contains("logLevel", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_Default_RendersValidObjects()
    {
        var objects = await TemplateAsync();

        // Least privilege: the release namespace alone, a Role there (and one for the Lease), no ClusterRole.
        Assert.Equal(["CustomResourceDefinition", "ServiceAccount", "Role", "Role", "RoleBinding", "RoleBinding", "Deployment"],
            objects.Select(o => (string?)o["kind"]));
        Assert.All(objects.Where(o => (string?)o["kind"] == "Role"), r => Assert.Equal("k8scache-system", (string?)r["metadata"]!["namespace"]));
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("ghcr.io/k8scache/operator:0.1.0", (string?)container["image"]);
        Assert.Equal(2L, (long?)deployment["spec"]!["replicas"]);
        Assert.Equal("true", Env(container, "Operator__LeaderElection"));
        Assert.Equal("k8scache-system", Env(container, "Operator__LeaseNamespace"));
        Assert.Equal("ghcr.io/k8scache/sidecar:0.1.0", Env(container, "Operator__SidecarImage"));
        Assert.Equal("cluster.local", Env(container, "Operator__ClusterDomain"));
        Assert.Equal("k8scache-system", Env(container, "Operator__WatchNamespaces"));
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal(false, (bool?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }

    [Fact]
    public async Task Template_NonDefault_RendersRolesPerNamespace_AndValidObjects()
    {
        var objects = await TemplateAsync(NonDefault);

        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "ClusterRole");
        Assert.Equal(["games", "shop"], objects.Where(o => (string?)o["kind"] == "Role").Select(o => (string?)o["metadata"]!["namespace"]));
        Assert.Contains(objects, o => (string?)o["kind"] == "Service" && (string?)o["metadata"]!["name"] == "rel-k8scache-metrics");
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal(("cache-op", "ssd", "dedicated"), ((string?)pod["serviceAccountName"], (string?)pod["nodeSelector"]!["disk"], (string?)pod["tolerations"]![0]!["key"]));
        Assert.Equal("games,shop", Env(pod["containers"]![0]!, "Operator__WatchNamespaces"));
        Assert.Equal("corp.example", Env(pod["containers"]![0]!, "Operator__ClusterDomain"));
        Assert.Equal("ghcr.io/k8scache/operator:9.9.9", (string?)pod["containers"]![0]!["image"]);
        Assert.Equal("caches", (string?)deployment["spec"]!["template"]!["metadata"]!["annotations"]!["team"]);
        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }

    [Fact]
    public async Task Template_WatchAllNamespaces_IsAnOptInClusterRole()
    {
        var objects = await TemplateAsync("--set", "watchAllNamespaces=true");
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");

        Assert.Contains(objects, o => (string?)o["kind"] == "ClusterRole");
        Assert.Equal(string.Empty, Env(deployment["spec"]!["template"]!["spec"]!["containers"]![0]!, "Operator__WatchNamespaces"));
        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }

    [Fact]
    public async Task ChartCrd_IsIdenticalTo_TheCrdInCrds()
    {
        var chart = await File.ReadAllTextAsync(Path.Combine(Helm.Chart, "crds", "k8scache.io_cachegroups.yaml"));
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));

        Assert.Equal(source, chart);
    }

    [Fact]
    public async Task Rbac_GrantsExactlyWhatTheOperatorCalls()
    {
        await using var env = await ClusterEnvironment.StartAsync();
        var granted = Granted(await TemplateAsync());

        // Drive the operator through everything it does: create, a spec change, a StatefulSet status change, the
        // NetworkPolicy's whole life, leader election. The test writes straight into the store, so only the operator's requests reach the authorizer log.
        var cg = YamlToJson.ReadDocuments(new StreamReader(Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"))).Single()!.AsObject();
        cg["metadata"]!["namespace"] = "games";
        env.Server.Store.Create(env.CacheGroups, "games", cg, "test");
        env.Server.ResetAuthorizations();
        using var runtime = new OperatorRuntime(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Kubeconfig),
            new OperatorOptions { Identity = "op", RetryPeriod = TimeSpan.FromMilliseconds(200), SidecarImage = "k8scache/sidecar:test" },
            TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = runtime.RunAsync(stop.Token);
        var sts = env.Server.Resource("apps/v1", "statefulsets");
        await Poll.UntilAsync(() => env.Get(sts, "games", "scores") is not null);
        var live = env.Get(env.CacheGroups, "games", "scores")!;
        live["spec"]!["replicas"] = 4;
        env.Server.Store.Update(env.CacheGroups, "games", "scores", live, "test");
        await Poll.UntilAsync(() => (int?)env.Get(sts, "games", "scores")!["spec"]!["replicas"] == 4);
        var set = env.Get(sts, "games", "scores")!;
        set["status"] = new JsonObject { ["replicas"] = 4, ["readyReplicas"] = 4, ["updatedReplicas"] = 4, ["observedGeneration"] = 2 };
        env.Server.Store.Update(sts, "games", "scores", set, "kube-controller-manager", statusOnly: true);
        await Poll.UntilAsync(() => (int?)env.Get(env.CacheGroups, "games", "scores")!["status"]?["readyReplicas"] == 4);

        // The opt-in NetworkPolicy: created, changed, removed.
        var policies = env.Server.Resource("networking.k8s.io/v1", "networkpolicies");
        foreach (var (networkPolicy, done) in new (string, Func<JsonObject?, bool>)[]
        {
            ("""{ "enabled": true }""", p => p is not null),
            ("""{ "enabled": true, "metricsFrom": [ { "podSelector": {} } ] }""", p => p?["spec"]?["ingress"]?.AsArray().Count == 2),
            ("""{ "enabled": false }""", p => p is null),
        })
        {
            live = env.Get(env.CacheGroups, "games", "scores")!;
            live["spec"]!["networkPolicy"] = JsonNode.Parse(networkPolicy);
            env.Server.Store.Update(env.CacheGroups, "games", "scores", live, "test");
            await Poll.UntilAsync(() => done(env.Get(policies, "games", "scores-peers")));
        }

        await stop.CancelAsync();
        await running.WaitAsync(TestTimeouts.Default);

        var called = env.Server.Authorizations.ToHashSet();
        Assert.Equal(called.Order(), granted.Order());
    }

    private static HashSet<string> Granted(IEnumerable<JsonObject> objects)
    {
        var granted = new HashSet<string>();
        foreach (var role in objects.Where(o => (string?)o["kind"] is "ClusterRole" or "Role"))
        {
            foreach (var rule in role["rules"]!.AsArray())
            {
                foreach (var group in rule!["apiGroups"]!.AsArray())
                {
                    foreach (var resource in rule["resources"]!.AsArray())
                    {
                        foreach (var verb in rule["verbs"]!.AsArray())
                        {
                            granted.Add($"{verb} {group} {resource}");
                        }
                    }
                }
            }
        }

        return granted;
    }

    private static async Task<List<JsonObject>> TemplateAsync(params string[] values)
    {
        var (exit, output, error) = await Helm.RunAsync(["template", "rel", Helm.Chart, "--namespace", "k8scache-system", "--include-crds", .. values]);
        Assert.True(exit == 0, error);
        return YamlToJson.ReadDocuments(new StringReader(output)).OfType<JsonObject>().ToList();
    }

    private static string? Env(JsonNode container, string name) =>
        (string?)container["env"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"];
}
