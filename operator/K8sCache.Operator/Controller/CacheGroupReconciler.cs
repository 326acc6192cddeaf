using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sCache.Operator.Api;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Runtime;

namespace K8sCache.Operator.Controller;

/// <summary>
/// Brings one CacheGroup's owned objects and status to what its spec asks, reading top to bottom: get the CacheGroup
/// (gone: nothing to do, garbage collection removes what it owned); render its objects (a spec that cannot be rendered
/// marks it Degraded with reason InvalidSpec and changes nothing); make sure the peer-token Secret exists (created
/// once, never regenerated); apply each owned object whose rendering changed or that drifted from it (server-side
/// apply, forced, one field manager, so fields this manager no longer sets are removed); write the status from what
/// the StatefulSet reports; record Events. Idempotent: a second run over an unchanged world writes nothing.
/// </summary>
internal sealed partial class CacheGroupReconciler(
    ClusterApi client, RenderOptions renderOptions, EventRecorder events, TimeProvider timeProvider, ILogger logger)
{
    public const string FieldManager = "k8scache-operator";

    /// <summary>How often a CacheGroup whose pods are still rolling out is looked at again, besides watch events.</summary>
    public static readonly TimeSpan ProgressingRequeue = TimeSpan.FromSeconds(10);

    public async Task<ReconcileResult> ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var obj = await client.ReadAsync(
            (api, token) => api.CustomObjects.GetNamespacedCustomObjectAsync(CacheGroup.Group, CacheGroup.Version, ns, CacheGroup.Plural, name, token),
            cancellationToken);
        if (obj is not JsonElement json)
        {
            return new ReconcileResult(null, 0);
        }

        var cg = json.Deserialize(OperatorJsonContext.Default.CacheGroup)!;
        if (cg.Metadata.DeletionTimestamp is not null)
        {
            return new ReconcileResult(null, 0);
        }

        var writes = 0;
        string? error = null;
        var errorReason = "ReconcileFailed";
        JsonObject? statefulSet = null;
        IReadOnlyList<JsonObject> rendered = [];
        try
        {
            // Rendered once before any write, so a spec that cannot be rendered changes nothing, not even the Secret;
            // rendered again below with the token's hash.
            ManifestRenderer.Render(cg, renderOptions);
        }
        catch (InvalidSpecException e)
        {
            (error, errorReason) = (e.Message, "InvalidSpec");
            await events.RecordAsync(cg, "Warning", errorReason, e.Message, cancellationToken);
            statefulSet = await client.GetAsync(ResourceType.StatefulSets, ns, ObjectNames.StatefulSet(cg), cancellationToken);
        }

        try
        {
            if (error is null)
            {
                var (token, created) = await EnsurePeerTokenAsync(cg, cancellationToken);
                writes += created ? 1 : 0;
                rendered = ManifestRenderer.Render(cg, renderOptions, ManifestRenderer.TokenHash(token));
            }

            foreach (var desired in rendered)
            {
                var type = ResourceType.ForKind((string)desired["apiVersion"]!, (string)desired["kind"]!);
                var live = await client.GetAsync(type, ns, (string)desired["metadata"]!["name"]!, cancellationToken);
                if (type == ResourceType.StatefulSets)
                {
                    await RecordScaleOrCreateAsync(cg, live, desired, cancellationToken);
                }

                // The desired object carries the hash of its rendering: a changed rendering is never a subset of the
                // live object, even when it only removed fields.
                var current = live;
                if (live is null || !JsonSubset.Contains(live, desired))
                {
                    current = await client.ApplyAsync(type, desired, FieldManager, force: true, cancellationToken);
                    writes++;
                    LogApplied(logger, desired["kind"]!.ToString(), ns, desired["metadata"]!["name"]!.ToString());
                }

                if (type == ResourceType.StatefulSets)
                {
                    statefulSet = current;
                }
            }

            writes += await RemoveUndesiredAsync(cg, rendered, cancellationToken);
        }
        catch (ClusterApiException e)
        {
            error = $"{e.Reason}: {e.StatusMessage}";
            await events.RecordAsync(cg, "Warning", "ReconcileFailed", error, cancellationToken);
        }

        var status = StatusCalculator.Calculate(cg, statefulSet, error, timeProvider.GetUtcNow(), errorReason);
        if (!StatusCalculator.SameAs(cg.Status, status))
        {
            var patch = new JsonObject { ["status"] = JsonSerializer.SerializeToNode(status, OperatorJsonContext.Default.CacheGroupStatus) };
            await client.WriteAsync(
                (api, token) => api.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), CacheGroup.Group, CacheGroup.Version, ns, CacheGroup.Plural, name, cancellationToken: token),
                cancellationToken);
            writes++;
        }

        if (error is not null)
        {
            throw new ReconcileException(errorReason, error);
        }

        var progressing = status.Conditions.Single(c => c.Type == Condition.Progressing).Status == "True";
        return new ReconcileResult(progressing ? ProgressingRequeue : null, writes);
    }

    /// <summary>Deletes an owned object the spec no longer asks for (the NetworkPolicy once disabled), if this
    /// CacheGroup owns it.</summary>
    private async Task<int> RemoveUndesiredAsync(CacheGroup cg, IReadOnlyList<JsonObject> rendered, CancellationToken cancellationToken)
    {
        if (rendered.Count == 0 || rendered.Any(o => (string?)o["kind"] == ResourceType.NetworkPolicies.Kind))
        {
            return 0;
        }

        var name = ObjectNames.NetworkPolicy(cg);
        var live = await client.GetAsync(ResourceType.NetworkPolicies, cg.Metadata.Namespace, name, cancellationToken);
        var owned = live?["metadata"]?["ownerReferences"]?.AsArray().Any(o => (string?)o?["uid"] == cg.Metadata.Uid) == true;
        if (!owned)
        {
            return 0;
        }

        await client.DeleteAsync(ResourceType.NetworkPolicies, cg.Metadata.Namespace, name, cancellationToken);
        LogDeleted(logger, "NetworkPolicy", cg.Metadata.Namespace, name);
        return 1;
    }

    /// <summary>The peer token, from its Secret; a missing Secret (first reconcile, or deleted) is made with a new
    /// token, which rolls the pods through the token hash on their template.</summary>
    private async Task<(string Token, bool Created)> EnsurePeerTokenAsync(CacheGroup cg, CancellationToken cancellationToken)
    {
        var name = ObjectNames.PeerTokenSecret(cg);
        var ns = cg.Metadata.Namespace;
        if (await client.ReadAsync((api, t) => api.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: t), cancellationToken) is { } existing)
        {
            return (TokenOf(existing), false);
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var secret = KubernetesJson.Deserialize<V1Secret>(ManifestRenderer.PeerTokenSecret(cg, token).ToJsonString());
        try
        {
            await client.WriteAsync((api, t) => api.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: t), cancellationToken);
            await events.RecordAsync(cg, "Normal", "PeerTokenCreated", $"Created Secret {name} with a new peer token; the pods roll onto it", cancellationToken);
            return (token, true);
        }
        catch (ClusterApiException e) when (e.IsConflict)
        {
            // Created meanwhile (another reconcile, a restarted operator): the first token stands.
            var winner = await client.ReadAsync((api, t) => api.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: t), cancellationToken)
                ?? throw new ClusterApiException(409, "Conflict", $"Secret {name} was created and deleted meanwhile");
            return (TokenOf(winner), false);
        }
    }

    private static string TokenOf(V1Secret secret) =>
        secret.Data?.TryGetValue(SidecarConfigRenderer.TokenKey, out var token) == true
            ? System.Text.Encoding.UTF8.GetString(token)
            : throw new ClusterApiException(422, "Invalid", $"Secret {secret.Metadata?.Name} has no {SidecarConfigRenderer.TokenKey}");

    private async Task RecordScaleOrCreateAsync(CacheGroup cg, JsonObject? live, JsonObject desired, CancellationToken cancellationToken)
    {
        var wanted = (int)desired["spec"]!["replicas"]!;
        if (live is null)
        {
            await events.RecordAsync(cg, "Normal", "Created", $"Created StatefulSet {desired["metadata"]!["name"]} with {wanted} replicas", cancellationToken);
        }
        else if ((int?)live["spec"]?["replicas"] is { } had && had != wanted)
        {
            await events.RecordAsync(cg, "Normal", "Scaled", $"Scaled from {had} to {wanted} replicas", cancellationToken);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Deleted {Kind} {Namespace}/{Name}: the spec no longer asks for it")]
    private static partial void LogDeleted(ILogger logger, string kind, string? @namespace, string name);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Applied {Kind} {Namespace}/{Name}")]
    private static partial void LogApplied(ILogger logger, string kind, string? @namespace, string name);
}
