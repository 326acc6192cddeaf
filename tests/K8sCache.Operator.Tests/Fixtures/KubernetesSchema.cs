using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>
/// Runs tests/kubernetes/node/validate.mjs: Kubernetes' own type definitions (@kubernetes/client-node's generated
/// models, API release 1.36, and kubernetes-models) judge the objects, strictly — an unknown field is an error.
/// </summary>
public static class KubernetesSchema
{
    public static async Task<IReadOnlyList<string>> ValidateAsync(IEnumerable<JsonNode> objects)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "tests", "kubernetes", "node");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@kubernetes", "client-node")))
        {
            throw new InvalidOperationException("tests/kubernetes/node/node_modules is missing: run scripts/install-test-deps.sh.");
        }

        var file = Path.Combine(Path.GetTempPath(), $"k8scache-validate-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, new JsonObject { ["kind"] = "List", ["items"] = new JsonArray(objects.Select(o => o.DeepClone()).ToArray()) }.ToJsonString());
        try
        {
            using var node = ChildProcess.Start("node", directory, "validate.mjs", file);
            var output = await node.ReadLineAsync(TimeSpan.FromSeconds(60));
            using var result = JsonDocument.Parse(output);
            return result.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
