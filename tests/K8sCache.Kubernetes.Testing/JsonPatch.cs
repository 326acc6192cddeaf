using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>JSON Patch (RFC 6902) operations add, replace, remove and test on object paths (array indexes included).</summary>
public static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonArray operations)
    {
        var result = (JsonObject)target.DeepClone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = (string?)operation["op"];
            var segments = ((string)operation["path"]!).Split('/').Skip(1).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            JsonNode parent = result;
            foreach (var segment in segments[..^1])
            {
                parent = (parent is JsonArray a ? a[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)] : parent[segment])
                    ?? throw new ApiException(Statuses.BadRequest($"json patch: path {operation["path"]} does not exist"));
            }

            var last = segments[^1];
            switch (op)
            {
                case "add" or "replace" when parent is JsonObject o:
                    o[last] = operation["value"]?.DeepClone();
                    break;
                case "add" when parent is JsonArray a:
                    a.Insert(last == "-" ? a.Count : int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), operation["value"]?.DeepClone());
                    break;
                case "replace" when parent is JsonArray a:
                    a[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = operation["value"]?.DeepClone();
                    break;
                case "remove" when parent is JsonObject o:
                    o.Remove(last);
                    break;
                case "remove" when parent is JsonArray a:
                    a.RemoveAt(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case "test":
                    var actual = parent is JsonArray arr ? arr[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] : parent[last];
                    if (!JsonNode.DeepEquals(actual, operation["value"]))
                    {
                        throw new ApiException(Statuses.Conflict(new ApiResource("", "v1", "objects", "object", "Object", false), "", $"json patch: test failed at {operation["path"]}"));
                    }

                    break;
                default:
                    throw new ApiException(Statuses.BadRequest($"json patch: unsupported op '{op}'"));
            }
        }

        return result;
    }
}
