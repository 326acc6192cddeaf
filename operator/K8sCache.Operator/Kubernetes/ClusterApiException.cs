namespace K8sCache.Operator.Kubernetes;

/// <summary>A request to the API server failed: refused (its Status code, reason — NotFound, Conflict, Gone, Invalid … —
/// and message), unreachable (503), unanswered in time (504) or without credentials (401). <see cref="ApiErrors"/>
/// makes it from whatever the library or the HTTP stack raised.</summary>
internal sealed class ClusterApiException(int code, string reason, string message, Exception? innerException = null)
    : Exception($"{code} {reason}: {message}", innerException)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public string StatusMessage { get; } = message;

    public bool IsNotFound => Code == 404;

    public bool IsConflict => Code == 409;

    public bool IsGone => Code == 410;
}
