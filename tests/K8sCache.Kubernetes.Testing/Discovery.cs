using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>The discovery documents kubectl reads to map kinds and short names to resources (legacy, unaggregated form).</summary>
public static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "36",
        ["gitVersion"] = "v1.36.0-k8scache-api-test-server",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(),
    };

    public static JsonObject Groups(IEnumerable<ApiResource> resources) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group).Select(g => (JsonNode)Group(g.Key, g.First().Version)).ToArray()),
    };

    public static JsonObject Group(string group, string version) => new()
    {
        ["kind"] = "APIGroup",
        ["apiVersion"] = "v1",
        ["name"] = group,
        ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version }),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version },
    };

    public static JsonObject Resources(string groupVersion, IEnumerable<ApiResource> resources)
    {
        var list = new JsonArray();
        foreach (var r in resources.Where(r => r.ApiVersion == groupVersion))
        {
            list.Add((JsonNode)new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray(r.ShortNames.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["categories"] = new JsonArray(r.Categories.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            });
            if (r.HasStatusSubresource)
            {
                list.Add((JsonNode)Subresource(r, "status", r.Kind, r.ApiVersion));
            }

            if (r.Scale is not null)
            {
                list.Add((JsonNode)Subresource(r, "scale", "Scale", "autoscaling/v1"));
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = list };
    }

    private static JsonObject Subresource(ApiResource r, string name, string kind, string apiVersion) => new()
    {
        ["name"] = $"{r.Plural}/{name}",
        ["singularName"] = string.Empty,
        ["namespaced"] = r.Namespaced,
        ["kind"] = kind,
        ["group"] = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : string.Empty,
        ["version"] = apiVersion.Split('/')[^1],
        ["verbs"] = new JsonArray("get", "patch", "update"),
    };
}
