using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Api;

/// <summary>
/// The CacheGroup CRD's schema (crds/k8scache.io_cachegroups.yaml, embedded in the binary), so a CacheGroup is checked
/// before a cluster sees it as the API server checks it (<see cref="SchemaValidator"/>, CEL rules through
/// <see cref="CelSubset"/>, unknown fields refused as under strict field validation).
/// </summary>
internal static class CacheGroupSchema
{
    /// <summary>The openAPIV3Schema of the CRD's one version.</summary>
    public static JsonObject Schema { get; } = Load();

    /// <summary>Each problem of <paramref name="document"/> as one line, its field path first; none when it is valid.</summary>
    public static IReadOnlyList<string> Problems(JsonObject document)
    {
        var unknown = new List<string>();
        var causes = SchemaValidator.Validate((JsonObject)document.DeepClone(), Schema, unknown);
        return [.. causes.Select(c => $"{c.Field}: {c.Message}"), .. unknown.Select(field => $"{field}: Unknown field")];
    }

    private static JsonObject Load()
    {
        using var stream = typeof(CacheGroupSchema).Assembly.GetManifestResourceStream("k8scache.io_cachegroups.yaml")
            ?? throw new InvalidOperationException("the CRD is not embedded in the operator");
        using var reader = new StreamReader(stream);
        var crd = YamlToJson.ReadDocuments(reader).Single()!;
        return crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
    }
}
