using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Tests.Api;

/// <summary>Every manifest in examples/ is a CacheGroup the API server accepts, and renders into valid objects.</summary>
public class ExamplesTests
{
    public static TheoryData<string> Manifests() => new(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "examples"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Manifests))]
    public async Task Example_PassesTheCrdSchema_AndRendersValidObjects(string file)
    {
        var path = Path.Combine(RepositoryPaths.Root, "examples", file);
        using var reader = new StreamReader(path);
        var document = YamlToJson.ReadDocuments(reader).Single()!.AsObject();
        using var crdReader = new StreamReader(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));
        var schema = YamlToJson.ReadDocuments(crdReader).Single()!["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        var unknown = new List<string>();

        var causes = SchemaValidator.Validate((JsonObject)document.DeepClone(), schema, unknown);

        Assert.Empty(causes);
        Assert.Empty(unknown);
        using var again = new StreamReader(path);
        var objects = CacheGroupDocuments.Read(again).SelectMany(cg => ManifestRenderer.Render(cg, new RenderOptions())).ToList();
        Assert.NotEmpty(objects);
        Assert.Empty(await KubernetesSchema.ValidateAsync(objects));
    }
}
