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

        var exit = RenderCommand.Run(["-f", "-"], new StringReader("kind: CacheGroup\napiVersion: k8scache.io/v1alpha1\nspec: {}\n"), new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("no metadata.name", stderr.ToString(), StringComparison.Ordinal);
    }
}
