using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8sCache.Operator.Api;

/// <summary>
/// Validates a custom object against its CRD's structural openAPIV3Schema as the API server does, in its order:
/// defaults are filled in, unknown fields are pruned (or reported, under strict field validation), then types,
/// required fields, bounds, lengths, patterns, enums, list sizes, map-list key uniqueness and x-kubernetes-validations
/// (through <see cref="CelSubset"/>) are checked. Messages follow the API server's wording. Not implemented: formats,
/// x-kubernetes-embedded-resource, transition rules (oldSelf), messageExpression.
/// </summary>
internal static class SchemaValidator
{
    public static List<(string Field, string Message)> Validate(JsonObject obj, JsonObject schema, List<string> unknownFields)
    {
        var causes = new List<(string, string)>();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (schema["properties"]?[key] is not JsonObject fieldSchema)
            {
                unknownFields.Add(key);
                continue;
            }

            Walk(value, fieldSchema, key, causes, unknownFields);
        }

        foreach (var (key, fieldSchema) in schema["properties"]?.AsObject() ?? [])
        {
            if (key is not ("apiVersion" or "kind" or "metadata") && !obj.ContainsKey(key) && fieldSchema?["default"] is { } d)
            {
                obj[key] = d.DeepClone();
            }
        }

        foreach (var required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
        {
            if (!obj.ContainsKey(required))
            {
                causes.Add((required, "Required value"));
            }
        }

        foreach (var field in unknownFields.ToArray())
        {
            if (!field.Contains('.', StringComparison.Ordinal))
            {
                obj.Remove(field);
            }
        }

        return causes;
    }

    private static void Walk(JsonNode? node, JsonObject schema, string path, List<(string, string)> causes, List<string> unknown)
    {
        if (node is null)
        {
            return;
        }

        if (schema["x-kubernetes-int-or-string"] is not null)
        {
            var kind = node.GetValueKind();
            if (kind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                causes.Add((path, $"Invalid value: {Describe(node)}: {path} in body must be of type integer or string"));
            }
            else if (kind == JsonValueKind.String)
            {
                CheckString(node.GetValue<string>(), schema, path, causes);
            }

            return;
        }

        var type = (string?)schema["type"];
        if (!TypeMatches(node, type))
        {
            causes.Add((path, $"Invalid value: \"{KindName(node)}\": {path} in body must be of type {type}: \"{KindName(node)}\""));
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, causes, unknown);
                break;
            case JsonArray array:
                CheckArray(array, schema, path, causes, unknown);
                break;
            default:
                if (node.GetValueKind() == JsonValueKind.String)
                {
                    CheckString(node.GetValue<string>(), schema, path, causes);
                }
                else if (node.GetValueKind() == JsonValueKind.Number)
                {
                    CheckNumber(double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture), node, schema, path, causes);
                }

                break;
        }

        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            var expression = (string)rule!["rule"]!;
            if (!CelSubset.Evaluate(expression, node))
            {
                causes.Add((path, $"Invalid value: \"{KindName(node)}\": {(string?)rule["message"] ?? "failed rule: " + expression}"));
            }
        }
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, List<(string, string)> causes, List<string> unknown)
    {
        var properties = schema["properties"] as JsonObject;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValue<bool>();
        foreach (var (name, propertySchema) in properties ?? [])
        {
            if (!obj.ContainsKey(name) && propertySchema?["default"] is { } defaultValue)
            {
                obj[name] = defaultValue.DeepClone();
            }
        }

        foreach (var (name, value) in obj.ToArray())
        {
            var childPath = $"{path}.{name}";
            if (properties?[name] is JsonObject childSchema)
            {
                Walk(value, childSchema, childPath, causes, unknown);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Walk(value, additional, childPath, causes, unknown);
            }
            else if (!preserve)
            {
                unknown.Add(childPath);
                obj.Remove(name);
            }
        }

        foreach (var required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
        {
            if (!obj.ContainsKey(required))
            {
                causes.Add(($"{path}.{required}", "Required value"));
            }
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, List<(string, string)> causes, List<string> unknown)
    {
        if ((int?)schema["minItems"] is { } min && array.Count < min)
        {
            causes.Add((path, $"Invalid value: {array.Count}: {path} in body should have at least {min} items"));
        }

        if ((int?)schema["maxItems"] is { } max && array.Count > max)
        {
            causes.Add((path, $"Too many: {array.Count}: must have at most {max} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Walk(array[i], items, $"{path}[{i}]", causes, unknown);
            }
        }

        if ((string?)schema["x-kubernetes-list-type"] == "map")
        {
            var keys = schema["x-kubernetes-list-map-keys"]!.AsArray().Select(k => (string)k!).ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                var identity = new JsonObject(keys.Select(k => new KeyValuePair<string, JsonNode?>(k, array[i]?[k]?.DeepClone())));
                if (!seen.Add(identity.ToJsonString()))
                {
                    causes.Add(($"{path}[{i}]", $"Duplicate value: {identity.ToJsonString()}"));
                }
            }
        }
    }

    private static void CheckString(string value, JsonObject schema, string path, List<(string, string)> causes)
    {
        if ((int?)schema["minLength"] is { } min && value.Length < min)
        {
            causes.Add((path, $"Invalid value: \"{value}\": {path} in body should be at least {min} chars long"));
        }

        if ((int?)schema["maxLength"] is { } max && value.Length > max)
        {
            causes.Add((path, $"Too long: may not be more than {max} bytes"));
        }

        if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            causes.Add((path, $"Invalid value: \"{value}\": {path} in body should match '{pattern}'"));
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => (string?)a == value))
        {
            causes.Add((path, $"Unsupported value: \"{value}\": supported values: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}"));
        }
    }

    private static void CheckNumber(double value, JsonNode node, JsonObject schema, string path, List<(string, string)> causes)
    {
        if ((double?)schema["minimum"] is { } min && value < min)
        {
            causes.Add((path, $"Invalid value: {node.ToJsonString()}: {path} in body should be greater than or equal to {min}"));
        }

        if ((double?)schema["maximum"] is { } max && value > max)
        {
            causes.Add((path, $"Invalid value: {node.ToJsonString()}: {path} in body should be less than or equal to {max}"));
        }
    }

    private static bool TypeMatches(JsonNode node, string? type) => type switch
    {
        null => true,
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node.GetValueKind() == JsonValueKind.String,
        "boolean" => node.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "integer" => node.GetValueKind() == JsonValueKind.Number && !node.ToJsonString().Contains('.', StringComparison.Ordinal),
        "number" => node.GetValueKind() == JsonValueKind.Number,
        _ => false,
    };

    private static string KindName(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
    };

    private static string Describe(JsonNode node) => node.ToJsonString();
}
