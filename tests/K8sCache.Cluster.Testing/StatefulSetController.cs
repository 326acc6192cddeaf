using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using K8sCache.Kubernetes.Testing;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// The stand-in for the StatefulSet controller, against the API test server's store: Pods <c>NAME-0…N-1</c> from the
/// template; <c>Parallel</c> (all at once) and <c>OrderedReady</c> (one at a time, each after the lower ordinals are
/// Ready; scale-down from the highest, one at a time) management; <c>RollingUpdate</c> in reverse ordinal order, one pod
/// at a time once every pod is Ready, pods below <c>partition</c> kept at the current revision; revision hashes on pods
/// (<c>controller-revision-hash</c>); and the status (<c>replicas</c>, <c>readyReplicas</c>, <c>currentReplicas</c>,
/// <c>updatedReplicas</c>, <c>currentRevision</c>, <c>updateRevision</c>, <c>observedGeneration</c>).
/// Level-triggered: any change to a StatefulSet or a Pod re-examines every StatefulSet.
/// Left out: ControllerRevision objects (revisions are kept in memory), PVC templates, OnDelete, maxUnavailable,
/// minReadySeconds, and waiting for a deleted pod's graceful termination before recreating it (the API test server
/// deletes at once).
/// </summary>
public sealed class StatefulSetController(KubernetesApiTestServer server)
{
    public const string RevisionLabel = "controller-revision-hash";
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    private const string Manager = "statefulset-controller";

    private readonly Dictionary<string, JsonObject> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _currentRevisions = new(StringComparer.Ordinal);

    private ApiResource StatefulSets => server.Resource("apps/v1", "statefulsets");

    private ApiResource Pods => server.Resource("v1", "pods");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var watches = new[] { Forward(StatefulSets, wake, cancellationToken), Forward(Pods, wake, cancellationToken) };
        try
        {
            while (await wake.Reader.WaitToReadAsync(cancellationToken))
            {
                wake.Reader.TryRead(out _);
                foreach (var sts in server.Store.List(StatefulSets, null, _ => true).Items)
                {
                    try
                    {
                        Sync(sts);
                    }
                    catch (ApiException)
                    {
                        // A conflict with a concurrent write: that write's event wakes the loop again.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await Task.WhenAll(watches);
    }

    private async Task Forward(ApiResource resource, Channel<bool> wake, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in server.Store.Watch(resource, null, null, cancellationToken).ReadAllAsync(cancellationToken))
            {
                wake.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sync(JsonObject sts)
    {
        var ns = (string)sts["metadata"]!["namespace"]!;
        var name = (string)sts["metadata"]!["name"]!;
        var spec = sts["spec"]!;
        var replicas = (int?)spec["replicas"] ?? 1;
        var ordered = (string?)spec["podManagementPolicy"] != "Parallel";
        var partition = (int?)spec["updateStrategy"]?["rollingUpdate"]?["partition"] ?? 0;
        var template = spec["template"]!.AsObject();
        var update = Revision(name, template);
        var key = $"{ns}/{name}";
        var current = _currentRevisions.TryGetValue(key, out var c) ? c : update;
        var pods = server.Store.List(Pods, ns, p => OwnedBy(p, sts)).Items.ToDictionary(Ordinal);

        // Create what is missing, lowest ordinal first; OrderedReady waits for each to be Ready.
        for (var i = 0; i < replicas; i++)
        {
            if (pods.ContainsKey(i))
            {
                continue;
            }

            if (ordered && Enumerable.Range(0, i).Any(j => !pods.TryGetValue(j, out var lower) || !IsReady(lower)))
            {
                break;
            }

            var revision = i >= partition ? update : current;
            pods[i] = server.Store.Create(Pods, ns, NewPod(sts, i, revision, _templates[revision]), Manager);
        }

        // Scale down from the highest ordinal; OrderedReady one at a time.
        foreach (var (ordinal, pod) in pods.Where(p => p.Key >= replicas).OrderByDescending(p => p.Key).ToArray())
        {
            server.Store.Delete(Pods, ns, (string)pod["metadata"]!["name"]!, server.Resources);
            pods.Remove(ordinal);
            if (ordered)
            {
                break;
            }
        }

        // Roll: once every pod is Ready, replace the highest outdated one (at or above the partition).
        if (pods.Count == replicas && pods.Values.All(IsReady)
            && pods.Where(p => p.Key >= partition && RevisionOf(p.Value) != update).OrderByDescending(p => p.Key).FirstOrDefault() is { Value: { } outdated })
        {
            server.Store.Delete(Pods, ns, (string)outdated["metadata"]!["name"]!, server.Resources);
        }

        var updated = pods.Values.Count(p => RevisionOf(p) == update);
        if (updated == replicas)
        {
            current = update;
        }

        _currentRevisions[key] = current;
        WriteStatus(sts, pods.Values, current, update, updated);
    }

    private void WriteStatus(JsonObject sts, IEnumerable<JsonObject> pods, string current, string update, int updated)
    {
        var list = pods.ToArray();
        var status = new JsonObject
        {
            ["replicas"] = list.Length,
            ["readyReplicas"] = list.Count(IsReady),
            ["currentReplicas"] = list.Count(p => RevisionOf(p) == current),
            ["updatedReplicas"] = updated,
            ["currentRevision"] = current,
            ["updateRevision"] = update,
            ["observedGeneration"] = sts["metadata"]!["generation"]!.DeepClone(),
        };
        if (JsonNode.DeepEquals(sts["status"], status))
        {
            return;
        }

        var next = (JsonObject)sts.DeepClone();
        next["status"] = status;
        server.Store.Update(StatefulSets, (string)sts["metadata"]!["namespace"]!, (string)sts["metadata"]!["name"]!, next, Manager, statusOnly: true);
    }

    /// <summary>The revision of a template: a hash of it, remembered so pods below a partition keep their template.</summary>
    private string Revision(string name, JsonObject template)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10].ToLowerInvariant();
        var revision = $"{name}-{hash}";
        _templates.TryAdd(revision, (JsonObject)template.DeepClone());
        return revision;
    }

    private static JsonObject NewPod(JsonObject sts, int ordinal, string revision, JsonObject template)
    {
        var name = $"{sts["metadata"]!["name"]}-{ordinal}";
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        var labels = metadata["labels"] as JsonObject ?? new JsonObject();
        labels[RevisionLabel] = revision;
        labels[PodNameLabel] = name;
        metadata["labels"] = labels;
        metadata["name"] = name;
        metadata["namespace"] = sts["metadata"]!["namespace"]!.DeepClone();
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["name"] = sts["metadata"]!["name"]!.DeepClone(),
            ["uid"] = sts["metadata"]!["uid"]!.DeepClone(),
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var spec = template["spec"]!.DeepClone().AsObject();
        spec["hostname"] = name;
        spec["subdomain"] = sts["spec"]!["serviceName"]?.DeepClone();
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
    }

    private static bool OwnedBy(JsonObject pod, JsonObject sts) =>
        pod["metadata"]?["ownerReferences"]?.AsArray().Any(o => (string?)o?["uid"] == (string?)sts["metadata"]!["uid"]) == true;

    private static int Ordinal(JsonObject pod)
    {
        var name = (string)pod["metadata"]!["name"]!;
        return int.Parse(name[(name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? RevisionOf(JsonObject pod) => (string?)pod["metadata"]?["labels"]?[RevisionLabel];

    /// <summary>The pod's Ready condition, as the node agent reports it.</summary>
    public static bool IsReady(JsonObject pod) =>
        pod["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;
}
