using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Autorest;
using k8s.Exceptions;

namespace K8sCache.Operator.Kubernetes;

/// <summary>Turns what the library and the HTTP stack raise into the operator's one error type, so the reconciler, the
/// informer and the elector decide on a Status code and reason (404, 409, 410, 429 …) whoever sent the request.</summary>
internal static class ApiErrors
{
    /// <summary>The <see cref="ClusterApiException"/> for <paramref name="e"/>, or null to let it pass (the caller's own
    /// cancellation, a bug).</summary>
    public static ClusterApiException? Map(Exception e, CancellationToken callerToken, Uri server, TimeSpan requestTimeout) => e switch
    {
        ClusterApiException => null,
        HttpOperationException refused => FromBody(refused.Response?.Content, refused.Response?.StatusCode ?? HttpStatusCode.InternalServerError),
        HttpRequestException unreachable => new ClusterApiException(503, "ServiceUnavailable", $"cannot reach the API server at {server}: {unreachable.Message}", e),
        OperationCanceledException when !callerToken.IsCancellationRequested =>
            new ClusterApiException(504, "Timeout", $"no answer from the API server within {requestTimeout.TotalSeconds:F0}s", e),
        KubeConfigException credentials => new ClusterApiException(401, "Unauthorized", $"cannot get credentials: {credentials.Message}", e),
        JsonException malformed => new ClusterApiException(500, "InternalError", $"the API server's answer is not what the API describes: {malformed.Message}", e),
        _ => null,
    };

    /// <summary>The Status object of a refusal, or the text of an answer that is not one (a proxy's page).</summary>
    public static ClusterApiException FromBody(string? text, HttpStatusCode code)
    {
        JsonObject? status = null;
        try
        {
            status = string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not a Status object: report the text.
        }

        return status is not null ? FromStatus(status, (int)code) : new ClusterApiException((int)code, code.ToString(), text ?? string.Empty);
    }

    public static ClusterApiException FromStatus(JsonObject status, int code) =>
        new((int?)status["code"] ?? code, (string?)status["reason"] ?? ((HttpStatusCode)code).ToString(), (string?)status["message"] ?? string.Empty);
}
