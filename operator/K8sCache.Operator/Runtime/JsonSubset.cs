using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sCache.Operator.Runtime;

/// <summary>
/// Whether a live object already holds everything the operator wants: every field of the desired object present in
/// the live one with an equal value (arrays element by element, same length). Fields the API server or other
/// controllers added are ignored. Lets a reconcile skip the write when nothing drifted, so a steady state costs reads only.
/// </summary>
internal static class JsonSubset
{
    public static bool Contains(JsonNode? live, JsonNode? desired) => (live, desired) switch
    {
        (_, null) => true,
        (null, _) => false,
        (JsonObject l, JsonObject d) => d.All(p => l.TryGetPropertyValue(p.Key, out var value) ? Contains(value, p.Value) : p.Value is null),
        (JsonArray l, JsonArray d) => l.Count == d.Count && d.Select((item, i) => Contains(l[i], item)).All(x => x),
        (JsonValue l, JsonValue d) => ValuesEqual(l, d),
        _ => false,
    };

    private static bool ValuesEqual(JsonValue live, JsonValue desired)
    {
        var (kl, kd) = (live.GetValueKind(), desired.GetValueKind());
        if (kl == JsonValueKind.Number && kd == JsonValueKind.Number)
        {
            // Parsed values and values built in code differ in representation (3 vs 3.0): compare the numbers.
            return double.Parse(live.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
                == double.Parse(desired.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return kl == kd && live.ToJsonString() == desired.ToJsonString();
    }
}
