namespace K8sCache.Operator.Api;

/// <summary>What the operator observed, written through the status subresource.</summary>
internal sealed class CacheGroupStatus
{
    /// <summary>Pods the StatefulSet has; the scale subresource's <c>.status.replicas</c>.</summary>
    public int Replicas { get; set; }

    public int ReadyReplicas { get; set; }

    /// <summary>The pods' label selector as a string; the scale subresource's <c>.status.selector</c> (for HPAs).</summary>
    public string? Selector { get; set; }

    /// <summary>The generation of the spec this status describes.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>Available, Progressing, Degraded.</summary>
    public List<Condition> Conditions { get; set; } = [];
}
