using System.Text.Json.Nodes;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Tests.Chart;

/// <summary>
/// The chart's opt-in monitoring: the alert rules pass the real <c>promtool check rules</c> and their unit tests pass
/// <c>promtool test rules</c>, every alert is tested firing, and the chart renders the PodMonitors, the PrometheusRule
/// (the rules file unchanged) and the dashboard's ConfigMap only when asked.
/// </summary>
public class MonitoringTests
{
    private static readonly string Rules = Path.Combine(Helm.Chart, "files", "alerts.yaml");
    private static readonly string RuleTests = Path.Combine(RepositoryPaths.Root, "tests", "prometheus", "alerts.test.yaml");

    [Fact]
    public async Task AlertRules_PassPromtoolsCheck_AndTheirUnitTests()
    {
        var (checkExit, check) = await Promtool.RunAsync(["check", "rules", Rules]);
        Assert.True(checkExit == 0, check);
        Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", check, StringComparison.Ordinal);

        var (testExit, test) = await Promtool.RunAsync(["test", "rules", RuleTests]);
        Assert.True(testExit == 0, test);
        Assert.Contains("SUCCESS", test, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryAlert_HasAUnitTestWhereItFires()
    {
        var tests = ReadYaml(RuleTests)["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Where(t => t!["exp_alerts"]!.AsArray().Count > 0)
            .Select(t => (string)t!["alertname"]!)
            .ToHashSet();

        Assert.All(AlertNames(), alert => Assert.Contains(alert, tests));
    }

    [Fact]
    public async Task Chart_RendersMonitoringOnlyWhenAsked_WithTheRulesAndDashboardFilesUnchanged()
    {
        var none = await TemplateAsync();
        var all = await TemplateAsync("--set", "monitoring.podMonitor.enabled=true", "--set", "monitoring.prometheusRule.enabled=true",
            "--set", "monitoring.dashboard.enabled=true", "--set", "monitoring.podMonitor.labels.release=prometheus",
            "--set", "watchNamespaces={games,shop}");

        Assert.DoesNotContain(none, o => (string?)o["kind"] is "PodMonitor" or "PrometheusRule" || (string?)o["metadata"]!["name"] == "rel-k8scache-dashboard");
        var monitors = all.Where(o => (string?)o["kind"] == "PodMonitor").ToList();
        Assert.Equal(["rel-k8scache-cache", "rel-k8scache-operator"], monitors.Select(m => (string?)m["metadata"]!["name"]));
        Assert.All(monitors, m => Assert.Equal("prometheus", (string?)m["metadata"]!["labels"]!["release"]));
        var cache = monitors[0]["spec"]!;
        Assert.Equal("k8scache", (string?)cache["selector"]!["matchLabels"]!["app.kubernetes.io/name"]);
        Assert.Equal(["games", "shop"], cache["namespaceSelector"]!["matchNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("metrics", (string?)cache["podMetricsEndpoints"]![0]!["port"]);
        Assert.Contains(cache["podMetricsEndpoints"]![0]!["relabelings"]!.AsArray(), r => (string?)r!["targetLabel"] == "cachegroup");

        var rule = Assert.Single(all, o => (string?)o["kind"] == "PrometheusRule");
        Assert.True(JsonNode.DeepEquals(ReadYaml(Rules)["groups"], rule["spec"]!["groups"]), "the PrometheusRule differs from files/alerts.yaml");
        var dashboard = Assert.Single(all, o => (string?)o["metadata"]!["name"] == "rel-k8scache-dashboard");
        Assert.Equal("1", (string?)dashboard["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Path.Combine(Helm.Chart, "files", "dashboard.json"))),
            JsonNode.Parse((string)dashboard["data"]!["k8scache.json"]!)), "the dashboard ConfigMap differs from files/dashboard.json");
        Assert.Empty(await KubernetesSchema.ValidateAsync(all.Where(o => (string?)o["apiVersion"] != "monitoring.coreos.com/v1").ToList()));
    }

    [Fact]
    public async Task Telemetry_GivesTheOperatorTheCollector_WithItsPodAsResource()
    {
        var none = await TemplateAsync();
        var traced = await TemplateAsync("--set", "telemetry.otlpEndpoint=http://otel-collector.monitoring:4318", "--set", "telemetry.otlpProtocol=http/protobuf");

        static Dictionary<string, JsonNode> Env(List<JsonObject> objects) => objects.Single(o => (string?)o["kind"] == "Deployment")
            ["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.DoesNotContain(Env(none).Keys, k => k.StartsWith("OTEL_", StringComparison.Ordinal));
        var env = Env(traced);
        Assert.Equal("http://otel-collector.monitoring:4318", (string?)env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"]);
        Assert.Equal("http/protobuf", (string?)env["OTEL_EXPORTER_OTLP_PROTOCOL"]["value"]);
        Assert.Equal("k8scache-operator", (string?)env["OTEL_SERVICE_NAME"]["value"]);
        Assert.Equal("k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)", (string?)env["OTEL_RESOURCE_ATTRIBUTES"]["value"]);
        Assert.Empty(await KubernetesSchema.ValidateAsync(traced));
        var (exit, output, error) = await Helm.RunAsync(["lint", "--strict", Helm.Chart, "--set", "telemetry.otlpProtocol=udp"]);
        Assert.True(exit != 0, "a protocol the SDK does not know passed the schema");
        Assert.Contains("/telemetry/otlpProtocol", output + error, StringComparison.Ordinal);
    }

    private static List<string> AlertNames() => ReadYaml(Rules)["groups"]!.AsArray()
        .SelectMany(g => g!["rules"]!.AsArray()).Select(r => (string)r!["alert"]!).ToList();

    private static JsonNode ReadYaml(string path)
    {
        using var reader = new StreamReader(path);
        return YamlToJson.ReadDocuments(reader).Single()!;
    }

    private static async Task<List<JsonObject>> TemplateAsync(params string[] values)
    {
        var (exit, output, error) = await Helm.RunAsync(["template", "rel", Helm.Chart, "--namespace", "k8scache-system", .. values]);
        Assert.True(exit == 0, error);
        return YamlToJson.ReadDocuments(new StringReader(output)).OfType<JsonObject>().ToList();
    }
}
