using System.Text.Json.Nodes;

namespace K8sCache.Operator.Kubernetes;

/// <summary>The items of a list and the resource version to watch from.</summary>
internal sealed record ResourceList(IReadOnlyList<JsonObject> Items, string ResourceVersion);
