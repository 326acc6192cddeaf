using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Tests.Api;

/// <summary>crds/k8scache.io_cachegroups.yaml against the C# types and against Kubernetes' CRD type.</summary>
public class CrdTests
{
    private static readonly JsonObject Crd = LoadCrd();

    private static JsonObject Version => Crd["spec"]!["versions"]![0]!.AsObject();

    private static JsonObject Schema => Version["schema"]!["openAPIV3Schema"]!.AsObject();

    [Fact]
    public void Names_GroupAndScope_AreTheContract()
    {
        var spec = Crd["spec"]!;

        Assert.Equal("cachegroups.k8scache.io", (string?)Crd["metadata"]!["name"]);
        Assert.Equal(("k8scache.io", "Namespaced", "v1alpha1"), ((string?)spec["group"], (string?)spec["scope"], (string?)Version["name"]));
        Assert.Equal(("CacheGroup", "cachegroups", "cg"), ((string?)spec["names"]!["kind"], (string?)spec["names"]!["plural"], (string?)spec["names"]!["shortNames"]![0]));
    }

    [Fact]
    public void Defaults_AreOnlyTheOperatorsOwn_AndEqualItsConstants()
    {
        var spec = Schema["properties"]!["spec"]!;
        var defaults = new List<string>();
        CollectDefaults(spec, ".spec", defaults);

        // Sizes, timeouts and limits default in the sidecar (one home); the CRD defaults only the replica count.
        Assert.Equal([".spec.replicas"], defaults);
        Assert.Equal(CacheGroupSpec.DefaultReplicas, (int?)spec["properties"]!["replicas"]!["default"]);
    }

    [Fact]
    public void Subresources_StatusAndScale_PointAtTheRightFields()
    {
        var scale = Version["subresources"]!["scale"]!;

        Assert.NotNull(Version["subresources"]!["status"]);
        Assert.Equal((".spec.replicas", ".status.replicas", ".status.selector"),
            ((string?)scale["specReplicasPath"], (string?)scale["statusReplicasPath"], (string?)scale["labelSelectorPath"]));
    }

    [Fact]
    public void PrinterColumns_AreReplicasReadyAvailableAge()
    {
        Assert.Equal(["Replicas", "Ready", "Available", "Age"], Version["additionalPrinterColumns"]!.AsArray().Select(c => (string?)c!["name"]));
    }

    [Fact]
    public void SpecSchema_AndCSharpTypes_HaveTheSameFields()
    {
        var drift = new List<string>();

        Compare(typeof(CacheGroupSpec), Schema["properties"]!["spec"]!.AsObject(), "spec", drift);
        Compare(typeof(CacheGroupStatus), Schema["properties"]!["status"]!.AsObject(), "status", drift);

        Assert.Empty(drift);
    }

    [Fact]
    public async Task Crd_IsValidAgainstKubernetesTypes_Strictly()
    {
        Assert.Empty(await KubernetesSchema.ValidateAsync([Crd]));
    }

    /// <summary>Every property of <paramref name="type"/> (camelCase, as serialized) must be in the schema and the other
    /// way round, with a matching type, recursively through nested classes and lists.</summary>
    private static void Compare(Type type, JsonObject schema, string path, List<string> drift)
    {
        var properties = schema["properties"]?.AsObject() ?? new JsonObject();
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        foreach (var name in members.Keys.Except(properties.Select(p => p.Key)))
        {
            drift.Add($"{path}.{name}: in {type.Name}, not in the CRD");
        }

        foreach (var name in properties.Select(p => p.Key).Except(members.Keys))
        {
            drift.Add($"{path}.{name}: in the CRD, not in {type.Name}");
        }

        foreach (var (name, member) in members)
        {
            if (properties[name] is not JsonObject field)
            {
                continue;
            }

            var memberType = Nullable.GetUnderlyingType(member.PropertyType) ?? member.PropertyType;
            var schemaType = (string?)field["type"];
            var expected = memberType switch
            {
                _ when memberType == typeof(string) => "string",
                _ when memberType == typeof(int) || memberType == typeof(long) => "integer",
                _ when memberType == typeof(bool) => "boolean",
                _ when memberType == typeof(JsonObject) => "object",
                _ when typeof(IList).IsAssignableFrom(memberType) => "array",
                _ => "object",
            };
            if (schemaType != expected)
            {
                drift.Add($"{path}.{name}: {type.Name} has {memberType.Name} ({expected}), the CRD says {schemaType}");
                continue;
            }

            if (expected == "array" && memberType.GetGenericArguments()[0] is { IsClass: true } item && item != typeof(string) && item != typeof(JsonObject))
            {
                Compare(item, field["items"]!.AsObject(), $"{path}.{name}[]", drift);
            }
            else if (expected == "object" && memberType != typeof(JsonObject))
            {
                Compare(memberType, field, $"{path}.{name}", drift);
            }
        }
    }

    private static JsonObject LoadCrd()
    {
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));
        return YamlToJson.ReadDocuments(reader).Single()!.AsObject();
    }

    private static void CollectDefaults(JsonNode schema, string path, List<string> found)
    {
        if (schema["default"] is not null)
        {
            found.Add(path);
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                CollectDefaults(child!, $"{path}.{name}", found);
            }
        }

        if (schema["items"] is { } items)
        {
            CollectDefaults(items, path + "[]", found);
        }
    }
}
