using System.Text.Json.Nodes;
using K8sCache.Operator.Hosting;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Tests.Rendering;

public class RenderCommandTests
{
    [Fact]
    public async Task Render_TheExample_PrintsYamlThatReadsBackAsValidObjects()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = RenderCommand.Run(["-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml")], TextReader.Null, stdout, stderr);

        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        var objects = YamlToJson.ReadDocuments(new StringReader(stdout.ToString())).Select(o => o!).ToArray();
        Assert.Equal(["Service", "ConfigMap", "StatefulSet", "PodDisruptionBudget", "Secret"], objects.Select(o => (string?)o["kind"]));
        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }

    [Fact]
    public void Render_Json_IsAKubernetesList()
    {
        var stdout = new StringWriter();
        var yaml = """
            apiVersion: k8scache.io/v1alpha1
            kind: CacheGroup
            metadata: { name: a, namespace: ns1 }
            spec: { groups: [ { name: g } ] }
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: ignored }
            """;

        var exit = RenderCommand.Run(["-f", "-", "-o", "json"], new StringReader(yaml), stdout, new StringWriter());

        var list = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal(0, exit);
        Assert.Equal("List", (string?)list["kind"]);
        Assert.Equal(5, list["items"]!.AsArray().Count);
        Assert.All(list["items"]!.AsArray(), o => Assert.Equal("ns1", (string?)o!["metadata"]!["namespace"]));
    }

    [Theory]
    [InlineData(new string[0], "-f FILE is required")]
    [InlineData(new[] { "-f", "/nonexistent/file.yaml" }, "render:")]
    [InlineData(new[] { "--bogus" }, "unexpected argument")]
    public void Render_BadUse_ExplainsItself(string[] args, string message)
    {
        var stderr = new StringWriter();

        var exit = RenderCommand.Run(args, TextReader.Null, new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CacheGroupWithoutName_IsAnError()
    {
        var stderr = new StringWriter();

        var exit = RenderCommand.Run(["-f", "-"], new StringReader("kind: CacheGroup\napiVersion: k8scache.io/v1alpha1\nmetadata: {}\nspec: { groups: [ { name: g } ] }\n"), new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("no metadata.name", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChecksTheCacheGroupAsTheCrdDoes_OneLinePerProblem_NamingTheField()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var yaml = """
            apiVersion: k8scache.io/v1alpha1
            kind: CacheGroup
            metadata: { name: shop, namespace: team }
            spec:
              replicas: -1
              group: typo
              groups:
                - { name: scores, ttl: banana, eviction: Fifo }
                - { name: scores, loader: { url: "http://localhost:8080/{key}", grpc: "http://localhost:9000", timeout: 2h } }
            """;

        var exit = RenderCommand.Run(["-f", "-"], new StringReader(yaml), stdout, stderr);

        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((1, string.Empty), (exit, stdout.ToString()));
        Assert.All(lines, l => Assert.StartsWith("render: CacheGroup team/shop: spec.", l, StringComparison.Ordinal));
        // The API server's own wording, in field order.
        Assert.Collection(lines.Select(l => l["render: CacheGroup team/shop: ".Length..]).Order(StringComparer.Ordinal),
            l => Assert.Equal("spec.group: Unknown field", l),
            l => Assert.Equal("spec.groups[0].eviction: Unsupported value: \"Fifo\": supported values: \"S3Fifo\", \"Lru\"", l),
            l => Assert.StartsWith("spec.groups[0].ttl: Invalid value: \"banana\": spec.groups[0].ttl in body should match '^", l, StringComparison.Ordinal),
            l => Assert.Equal("spec.groups[1].loader.timeout: Invalid value: \"string\": a loader timeout is at most 1h", l),
            l => Assert.Equal("spec.groups[1].loader: Invalid value: \"object\": set exactly one of url (an HTTP loader) and grpc (a gRPC Loader service)", l),
            l => Assert.Equal("spec.groups[1]: Duplicate value: {\"name\":\"scores\"}", l),
            l => Assert.Equal("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0", l));
    }

    [Fact]
    public void Render_ATemplateThatTakesASidecarPort_IsOneLineAndExitCode1_NotACrash()
    {
        var stderr = new StringWriter();
        var yaml = """
            apiVersion: k8scache.io/v1alpha1
            kind: CacheGroup
            metadata: { name: shop }
            spec:
              groups: [ { name: g } ]
              template: { spec: { containers: [ { name: app, image: app, ports: [ { containerPort: 7070 } ] } ] } }
            """;

        var exit = RenderCommand.Run(["-f", "-"], new StringReader(yaml), new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Equal("render: CacheGroup default/shop: spec.template.spec.containers: port 7070 is the cache sidecar's; the sidecar uses 7070, 7071, 7072, 9090, 6379 in every pod\n",
            stderr.ToString().Replace("\r", string.Empty, StringComparison.Ordinal));
    }
}
