using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Api;

/// <summary>Reads CacheGroups from YAML or JSON documents; other kinds in the file are skipped, a CacheGroup without a
/// name is an error. A missing namespace is <c>default</c>, as kubectl assumes.</summary>
internal static class CacheGroupDocuments
{
    public static IReadOnlyList<CacheGroup> Read(TextReader reader)
    {
        var result = new List<CacheGroup>();
        foreach (var document in YamlToJson.ReadDocuments(reader))
        {
            foreach (var item in document?["kind"]?.GetValue<string>() == "List" ? document["items"]!.AsArray() : new JsonArray(document?.DeepClone()))
            {
                if (item is not JsonObject obj || obj["kind"]?.GetValue<string>() != CacheGroup.KindValue)
                {
                    continue;
                }

                var cg = obj.Deserialize(OperatorJsonContext.Default.CacheGroup)
                    ?? throw new InvalidDataException("A CacheGroup document is empty.");
                if (string.IsNullOrEmpty(cg.Metadata.Name))
                {
                    throw new InvalidDataException("A CacheGroup has no metadata.name.");
                }

                cg.Metadata.Namespace ??= "default";
                result.Add(cg);
            }
        }

        return result;
    }
}
