namespace K8sCache.Operator.Controller;

/// <summary>A reconcile ended without reaching the desired state; the CacheGroup's Degraded condition already says why
/// (<see cref="Reason"/>). The controller retries it with backoff.</summary>
internal sealed class ReconcileException(string reason, string message) : Exception($"{reason}: {message}")
{
    public string Reason { get; } = reason;
}
