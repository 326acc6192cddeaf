using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>Equality-based label selectors: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, comma-joined.</summary>
public sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    public static LabelSelector Parse(string text)
    {
        var selector = new LabelSelector();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Contains("!=", StringComparison.Ordinal))
            {
                var (k, v) = Split(part, "!=");
                selector._requirements.Add(labels => (string?)labels?[k] != v);
            }
            else if (part.Contains('=', StringComparison.Ordinal))
            {
                var (k, v) = Split(part, part.Contains("==", StringComparison.Ordinal) ? "==" : "=");
                selector._requirements.Add(labels => (string?)labels?[k] == v);
            }
            else if (part.StartsWith('!'))
            {
                selector._requirements.Add(labels => labels?.ContainsKey(part[1..]) != true);
            }
            else
            {
                selector._requirements.Add(labels => labels?.ContainsKey(part) == true);
            }
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return _requirements.All(r => r(labels));
    }

    private static (string, string) Split(string part, string op)
    {
        var i = part.IndexOf(op, StringComparison.Ordinal);
        return (part[..i].Trim(), part[(i + op.Length)..].Trim());
    }
}
