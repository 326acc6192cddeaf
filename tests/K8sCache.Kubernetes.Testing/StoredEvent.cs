using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>One change in the store's history, replayed to watches that start from an older resourceVersion.</summary>
public sealed record StoredEvent(long ResourceVersion, ApiResource Resource, string? Namespace, string Type, JsonObject Object);
