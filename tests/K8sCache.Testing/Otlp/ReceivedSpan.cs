namespace K8sCache.Testing.Otlp;

/// <summary>One span as an OTLP receiver decoded it: ids in lower-case hex (parent empty for a root), OTLP's span kind
/// (1 internal, 2 server, 3 client), the span's and its resource's attributes, its links, and its status code
/// (2 = error).</summary>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    int StatusCode);
