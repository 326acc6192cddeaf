using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Api;

/// <summary>Reads CacheGroups from YAML or JSON documents; other kinds in the file are skipped, a CacheGroup without a
/// name is an error. A missing namespace is <c>default</c>, as kubectl assumes.</summary>
internal static class CacheGroupDocuments
{
    public static IReadOnlyList<CacheGroup> Read(TextReader reader) => ReadObjects(reader).Select(Parse).ToList();

    /// <summary>The CacheGroup documents as they are written, before any type is imposed (for checking them against
    /// the CRD's schema).</summary>
    public static IReadOnlyList<JsonObject> ReadObjects(TextReader reader)
    {
        var result = new List<JsonObject>();
        foreach (var document in YamlToJson.ReadDocuments(reader))
        {
            foreach (var item in document?["kind"]?.GetValue<string>() == "List" ? document["items"]!.AsArray() : new JsonArray(document?.DeepClone()))
            {
                if (item is JsonObject obj && obj["kind"]?.GetValue<string>() == CacheGroup.KindValue)
                {
                    result.Add(obj);
                }
            }
        }

        return result;
    }

    /// <summary>A CacheGroup document as the operator's types: a CacheGroup without a name is an error, a missing
    /// namespace is <c>default</c>.</summary>
    public static CacheGroup Parse(JsonObject obj)
    {
        var cg = obj.Deserialize(OperatorJsonContext.Default.CacheGroup)
            ?? throw new InvalidDataException("A CacheGroup document is empty.");
        if (string.IsNullOrEmpty(cg.Metadata.Name))
        {
            throw new InvalidDataException("A CacheGroup has no metadata.name.");
        }

        cg.Metadata.Namespace ??= "default";
        return cg;
    }
}
