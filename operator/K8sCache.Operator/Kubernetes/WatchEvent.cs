using System.Text.Json.Nodes;

namespace K8sCache.Operator.Kubernetes;

/// <summary>One event of a watch stream: ADDED, MODIFIED, DELETED or BOOKMARK, with the object.</summary>
internal sealed record WatchEvent(string Type, JsonObject Object)
{
    public string? ResourceVersion => (string?)Object["metadata"]?["resourceVersion"];
}
