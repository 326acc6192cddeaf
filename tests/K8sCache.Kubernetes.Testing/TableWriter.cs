using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// Server-side printing: the meta.k8s.io/v1 Table <c>kubectl get</c> asks for. Custom resources get Name plus their
/// additionalPrinterColumns (JSONPath: plain field paths and one <c>[?(@.f=="v")]</c> filter); built-in kinds get
/// Name and Age. Date columns are shown as ages, as the API server does.
/// </summary>
public static partial class TableWriter
{
    public static JsonObject Write(ApiResource resource, IReadOnlyList<JsonObject> items, long resourceVersion, DateTimeOffset now)
    {
        var columns = resource.PrinterColumns?.OfType<JsonObject>().ToArray()
            ?? [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }];
        var definitions = new JsonArray(new JsonObject { ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name", ["priority"] = 0 });
        foreach (var column in columns)
        {
            definitions.Add((JsonNode)new JsonObject
            {
                ["name"] = column["name"]!.DeepClone(),
                ["type"] = (string?)column["type"] == "date" ? "string" : column["type"]!.DeepClone(),
                ["format"] = string.Empty,
                ["description"] = column["description"]?.DeepClone() ?? string.Empty,
                ["priority"] = column["priority"]?.DeepClone() ?? 0,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray((JsonNode)JsonValue.Create((string?)item["metadata"]!["name"])!);
            foreach (var column in columns)
            {
                var value = Evaluate(item, (string)column["jsonPath"]!);
                cells.Add((string?)column["type"] == "date" && value is not null ? Age(value.GetValue<string>(), now) : value?.DeepClone());
            }

            rows.Add((JsonNode)new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = item["metadata"]!.DeepClone() },
            });
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    public static JsonNode? Evaluate(JsonNode? node, string jsonPath)
    {
        foreach (Match step in Step().Matches(jsonPath))
        {
            if (step.Groups["field"].Success)
            {
                node = node?[step.Groups["field"].Value];
            }
            else
            {
                var field = step.Groups["filterField"].Value;
                var expected = step.Groups["filterValue"].Value;
                node = node?.AsArray().FirstOrDefault(e => (string?)e?[field] == expected);
            }
        }

        return node;
    }

    private static string Age(string timestamp, DateTimeOffset now)
    {
        var age = now - DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);
        return age.TotalDays >= 1 ? $"{(int)age.TotalDays}d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h" : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m" : $"{Math.Max(0, (int)age.TotalSeconds)}s";
    }

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_-]+)|\[\?\(@\.(?<filterField>[A-Za-z0-9_]+)=="(?<filterValue>[^"]*)"\)\]""")]
    private static partial Regex Step();
}
