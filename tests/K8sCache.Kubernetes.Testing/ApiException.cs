using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>An error the test server answers with a Status body.</summary>
public sealed class ApiException((int Code, JsonObject Body) status) : Exception((string?)status.Body["message"])
{
    public int Code { get; } = status.Code;

    public JsonObject Body { get; } = status.Body;
}
