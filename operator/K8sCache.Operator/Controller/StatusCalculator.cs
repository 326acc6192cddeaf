using System.Globalization;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;

namespace K8sCache.Operator.Controller;

/// <summary>
/// The CacheGroup's status from what its StatefulSet reports. Available: at least one pod ready (the cache serves;
/// a missing pod's keys are loaded by the others). Progressing: pods are being created, updated or scaled.
/// Degraded: the last reconcile failed, or fewer pods are ready than the disruption budget allows (replicas − 1).
/// A condition's lastTransitionTime changes only when its status does.
/// </summary>
internal static class StatusCalculator
{
    /// <summary>The status; <paramref name="reconcileError"/> with its <paramref name="errorReason"/> (ReconcileFailed,
    /// InvalidSpec) makes the CacheGroup Degraded.</summary>
    public static CacheGroupStatus Calculate(CacheGroup cg, JsonObject? statefulSet, string? reconcileError, DateTimeOffset now, string errorReason = "ReconcileFailed")
    {
        var desired = cg.Spec.DesiredReplicas();
        var status = statefulSet?["status"];
        var replicas = (int?)status?["replicas"] ?? 0;
        var ready = (int?)status?["readyReplicas"] ?? 0;
        var updated = (int?)status?["updatedReplicas"] ?? 0;
        var stsGeneration = (long?)statefulSet?["metadata"]?["generation"] ?? 0;
        var stsObserved = (long?)status?["observedGeneration"] ?? 0;
        var generation = cg.Metadata.Generation ?? 0;
        var previous = cg.Status?.Conditions ?? [];

        var available = desired == 0
            ? ("False", "ScaledToZero", "spec.replicas is 0: no pod serves the cache")
            : ready > 0
                ? ("True", "ReplicasReady", $"{ready} of {desired} pods ready")
                : ("False", "NoReplicasReady", $"0 of {desired} pods ready");
        var progressing = statefulSet is null
            ? ("True", "Creating", "the StatefulSet is being created")
            : stsObserved < stsGeneration || updated < desired || replicas != desired || ready < desired
                ? ("True", "RollingOut", $"{ready} ready, {updated} updated, {replicas} of {desired} pods")
                : ("False", "Complete", $"all {desired} pods are ready and up to date");
        var degraded = reconcileError is not null
            ? ("True", errorReason, reconcileError)
            : desired > 1 && statefulSet is not null && stsObserved >= stsGeneration && ready < desired - 1 && replicas == desired
                ? ("True", "TooFewReplicasReady", $"{ready} of {desired} pods ready; the disruption budget allows 1 down")
                : ("False", "AsExpected", "reconciled");

        return new CacheGroupStatus
        {
            Replicas = replicas,
            ReadyReplicas = ready,
            Selector = ObjectNames.SelectorString(cg),
            ObservedGeneration = generation,
            Conditions =
            [
                Condition(Api.Condition.Available, available, generation, previous, now),
                Condition(Api.Condition.Progressing, progressing, generation, previous, now),
                Condition(Api.Condition.Degraded, degraded, generation, previous, now),
            ],
        };
    }

    /// <summary>Whether two statuses say the same, so an unchanged status is not written again.</summary>
    public static bool SameAs(CacheGroupStatus? a, CacheGroupStatus b) =>
        a is not null && a.Replicas == b.Replicas && a.ReadyReplicas == b.ReadyReplicas && a.Selector == b.Selector
        && a.ObservedGeneration == b.ObservedGeneration && a.Conditions.Count == b.Conditions.Count
        && a.Conditions.Zip(b.Conditions).All(p => p.First.Type == p.Second.Type && p.First.Status == p.Second.Status
            && p.First.Reason == p.Second.Reason && p.First.Message == p.Second.Message && p.First.ObservedGeneration == p.Second.ObservedGeneration);

    private static Condition Condition(string type, (string Status, string Reason, string Message) value, long generation, List<Condition> previous, DateTimeOffset now)
    {
        var before = previous.FirstOrDefault(c => c.Type == type);
        return new Condition
        {
            Type = type,
            Status = value.Status,
            Reason = value.Reason,
            Message = value.Message,
            ObservedGeneration = generation,
            LastTransitionTime = before is not null && before.Status == value.Status
                ? before.LastTransitionTime
                : now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
    }
}
