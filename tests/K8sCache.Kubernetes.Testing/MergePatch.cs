using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces. The test server
/// also applies strategic-merge patches this way (it knows no patch strategies: lists are replaced whole).</summary>
public static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Apply(result[key], value);
            }
        }

        return result;
    }
}
