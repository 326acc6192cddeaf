using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sCache.Operator.Yaml;

/// <summary>Writes JSON nodes as block-style YAML, the way kubectl prints objects: strings are quoted when YAML would
/// read them as something else, multi-line strings become literal blocks.</summary>
internal static class JsonToYaml
{
    public static string Write(IEnumerable<JsonNode> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            text.Append("---\n");
            WriteNode(text, document, 0, inSequence: false);
        }

        return text.ToString();
    }

    private static void WriteNode(StringBuilder text, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!(first && inSequence))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Key(key)).Append(':');
                    WriteValue(text, value, indent);
                }

                break;
            case JsonArray array when array.Count > 0:
                foreach (var item in array)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        WriteNode(text, item, indent + 2, inSequence: true);
                    }
                    else
                    {
                        text.Append(Scalar(item, indent + 2)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(' ', indent).Append(Scalar(node, indent)).Append('\n');
                break;
        }
    }

    private static void WriteValue(StringBuilder text, JsonNode? value, int indent)
    {
        if (value is JsonObject { Count: > 0 })
        {
            text.Append('\n');
            WriteNode(text, value, indent + 2, inSequence: false);
        }
        else if (value is JsonArray { Count: > 0 })
        {
            text.Append('\n');
            WriteNode(text, value, indent, inSequence: false);
        }
        else
        {
            text.Append(' ').Append(Scalar(value, indent + 2)).Append('\n');
        }
    }

    private static string Key(string key) => NeedsQuotes(key) ? JsonSerializer.Serialize(key, YamlJsonContext.Default.String) : key;

    private static string Scalar(JsonNode? node, int indent)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonObject:
                return "{}";
            case JsonArray:
                return "[]";
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            return node.ToJsonString();
        }

        var s = node.GetValue<string>();
        if (s.Contains('\n', StringComparison.Ordinal) && !s.Contains('\r', StringComparison.Ordinal) && s.Trim(' ') == s)
        {
            var pad = new string(' ', indent);
            var chomp = s.EndsWith('\n') ? "|" : "|-";
            return chomp + "\n" + string.Join("\n", s.TrimEnd('\n').Split('\n').Select(line => line.Length == 0 ? string.Empty : pad + line));
        }

        return NeedsQuotes(s) ? JsonSerializer.Serialize(s, YamlJsonContext.Default.String) : s;
    }

    /// <summary>True when a plain scalar would read back as another type or break the syntax.</summary>
    private static bool NeedsQuotes(string s) =>
        s.Length == 0
        || s is "true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off" or "True" or "False" or "Null"
        || double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        || s.IndexOfAny([':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\n', '\t']) >= 0
        || s[0] is '-' or '?' or ' ' || s[^1] == ' ';
}
