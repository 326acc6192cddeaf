namespace K8sCache.Operator.Api;

/// <summary>Kubernetes' metav1.Condition.</summary>
internal sealed class Condition
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";

    public string Type { get; set; } = string.Empty;

    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = "Unknown";

    public long ObservedGeneration { get; set; }

    /// <summary>RFC 3339; changes only when <see cref="Status"/> changes.</summary>
    public string LastTransitionTime { get; set; } = string.Empty;

    /// <summary>CamelCase, machine-readable.</summary>
    public string Reason { get; set; } = string.Empty;

    public string Message { get; set; } = string.Empty;
}
