using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// Minimal OpenAPI v3 documents: the index and, per group-version, the item paths with their PATCH operation declaring
/// the <c>fieldValidation</c> query parameter and its group-version-kind. That is what kubectl checks to send strict
/// field validation to the server instead of validating on its own; schemas are the CRDs' (built-in kinds get an open
/// object schema).
/// </summary>
public static class OpenApi
{
    public static JsonObject Index(IEnumerable<ApiResource> resources) => new()
    {
        ["paths"] = new JsonObject(resources.Select(r => GroupVersionPath(r)).Distinct().Select(p =>
            new KeyValuePair<string, JsonNode?>(p, new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{p}?hash=0" }))),
    };

    public static JsonObject Document(string groupVersionPath, IEnumerable<ApiResource> resources)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var r in resources.Where(r => GroupVersionPath(r) == groupVersionPath))
        {
            var gvk = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind };
            var root = r.Group.Length == 0 ? $"/api/{r.Version}" : $"/apis/{r.Group}/{r.Version}";
            var collection = r.Namespaced ? $"{root}/namespaces/{{namespace}}/{r.Plural}" : $"{root}/{r.Plural}";
            var parameters = new JsonArray(
                new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
            paths[$"{collection}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                    ["parameters"] = parameters.DeepClone(),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
            paths[collection] = new JsonObject
            {
                ["post"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                    ["parameters"] = parameters.DeepClone(),
                    ["responses"] = new JsonObject { ["201"] = new JsonObject { ["description"] = "Created" } },
                },
            };
            var schema = r.Schema?.DeepClone().AsObject() ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
            schemas[$"{string.Join('.', (r.Group.Length == 0 ? "io.k8s.api.core" : string.Join('.', r.Group.Split('.').Reverse()))
                .Split('.'))}.{r.Version}.{r.Kind}"] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.36.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    public static string GroupVersionPath(ApiResource r) => r.Group.Length == 0 ? $"api/{r.Version}" : $"apis/{r.Group}/{r.Version}";
}
