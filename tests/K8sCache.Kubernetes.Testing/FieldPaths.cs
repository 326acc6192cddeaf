using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// The leaf fields of an object as dotted paths (<c>spec.replicas</c>, <c>metadata.labels.app</c>): the unit of field
/// ownership in server-side apply here. Objects are walked into; lists and scalars are leaves (the test server treats
/// every list as atomic, where the real server merges some by key).
/// </summary>
public static class FieldPaths
{
    // Field names may contain dots (label keys such as app.kubernetes.io/name): segments are joined with '\u0001'.
    private const char Separator = '\u0001';

    private static readonly HashSet<string> Identity =
        ["apiVersion", "kind", .. new[] { "name", "namespace", "resourceVersion", "uid", "managedFields" }.Select(f => Join("metadata", f))];

    public static HashSet<string> Leaves(JsonObject obj)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        Walk(obj, string.Empty, leaves);
        leaves.ExceptWith(Identity);
        return leaves;
    }

    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var segment in Split(path))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static bool Exists(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var segment in Split(path))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node))
            {
                return false;
            }
        }

        return true;
    }

    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = Split(path);
        var node = root;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject next)
            {
                next = new JsonObject();
                node[segment] = next;
            }

            node = next;
        }

        node[segments[^1]] = value?.DeepClone();
    }

    /// <summary>Removes the field, then any object it leaves empty.</summary>
    public static void Remove(JsonObject root, string path)
    {
        var segments = Split(path);
        var chain = new List<JsonObject> { root };
        foreach (var segment in segments[..^1])
        {
            if (chain[^1][segment] is not JsonObject next)
            {
                return;
            }

            chain.Add(next);
        }

        chain[^1].Remove(segments[^1]);
        for (var i = chain.Count - 1; i > 0 && chain[i].Count == 0; i--)
        {
            chain[i - 1].Remove(segments[i - 1]);
        }
    }

    /// <summary>The managedFields fieldsV1 form of a set of paths: <c>{"f:spec":{"f:replicas":{}}}</c>.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in Split(path))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject next)
                {
                    next = new JsonObject();
                    node[key] = next;
                }

                node = next;
            }
        }

        return root;
    }

    public static string Join(string prefix, string segment) => prefix.Length == 0 ? segment : prefix + Separator + segment;

    public static string Display(string path) => "." + path.Replace(Separator, '.');

    private static string[] Split(string path) => path.Split(Separator);

    private static void Walk(JsonObject obj, string prefix, HashSet<string> leaves)
    {
        foreach (var (key, value) in obj)
        {
            var path = Join(prefix, key);
            if (value is JsonObject child && child.Count > 0)
            {
                Walk(child, path, leaves);
            }
            else
            {
                leaves.Add(path);
            }
        }
    }
}
