namespace K8sCache.Operator.Kubernetes;

/// <summary>The API server refused a request; carries its Status code, reason (NotFound, Conflict, Gone, Invalid …)
/// and message.</summary>
internal sealed class KubernetesException(int code, string reason, string message, Exception? innerException = null)
    : Exception($"{code} {reason}: {message}", innerException)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public string StatusMessage { get; } = message;

    public bool IsNotFound => Code == 404;

    public bool IsConflict => Code == 409;

    public bool IsGone => Code == 410;
}
