using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;

namespace K8sCache.Operator.Rendering;

/// <summary>
/// Everything a CacheGroup owns, as the JSON the operator applies with server-side apply: the headless Service, the
/// sidecar's ConfigMap, the StatefulSet, the PodDisruptionBudget and the NetworkPolicy. The peer-token Secret is
/// rendered apart (<see cref="PeerTokenSecret"/>): it is created once and never re-applied. Pure: same input, same output.
/// Every object carries a hash of its own rendering (<see cref="RenderedHashAnnotation"/>), so a live object that still
/// contains everything desired but was rendered from another spec (a field since removed) is seen to differ.
/// </summary>
internal static class ManifestRenderer
{
    public const string RenderedHashAnnotation = "k8scache.io/rendered-hash";

    /// <summary>The objects of <paramref name="cg"/>; <see cref="InvalidSpecException"/> when its template cannot be used.
    /// <paramref name="peerTokenHash"/> (see <see cref="TokenHash"/>) goes on the pod template, so a new token rolls the pods.
    /// The NetworkPolicy only when the CacheGroup enables it.</summary>
    public static IReadOnlyList<JsonObject> Render(CacheGroup cg, RenderOptions options, string? peerTokenHash = null)
    {
        var objects = new List<JsonObject>
        {
            Stamped(PeerService(cg)),
            Stamped(ConfigMap(cg, options)),
            Stamped(StatefulSetRenderer.Render(cg, options, peerTokenHash)),
            Stamped(DisruptionBudget(cg)),
        };
        if (cg.Spec.NetworkPolicy?.Enabled == true)
        {
            objects.Add(Stamped(NetworkPolicy(cg, cg.Spec.NetworkPolicy)));
        }

        return objects;
    }

    /// <summary>A short hash of a peer token: what the pod template carries, never the token itself.</summary>
    public static string TokenHash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16].ToLowerInvariant();

    /// <summary>The Secret holding the peer token; <paramref name="token"/> is generated once by the caller.</summary>
    public static JsonObject PeerTokenSecret(CacheGroup cg, string token) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = Metadata(cg, ObjectNames.PeerTokenSecret(cg), "peer-token"),
        ["type"] = "Opaque",
        ["data"] = new JsonObject { [SidecarConfigRenderer.TokenKey] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(token)) },
    };

    public static JsonObject Metadata(CacheGroup cg, string name, string component) => new()
    {
        ["name"] = name,
        ["namespace"] = cg.Metadata.Namespace,
        ["labels"] = Map(ObjectNames.Labels(cg, component)),
        ["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = CacheGroup.ApiVersionValue,
            ["kind"] = CacheGroup.KindValue,
            ["name"] = cg.Metadata.Name,
            ["uid"] = cg.Metadata.Uid ?? string.Empty,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        }),
    };

    /// <summary>Adds the hash of <paramref name="obj"/>'s rendering as an annotation: 16 hex digits of its SHA-256.</summary>
    private static JsonObject Stamped(JsonObject obj)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(obj.ToJsonString())))[..16].ToLowerInvariant();
        var metadata = obj["metadata"]!.AsObject();
        var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        annotations[RenderedHashAnnotation] = hash;
        metadata["annotations"] = annotations;
        return obj;
    }

    public static JsonObject Map(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new JsonObject();
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            map[key] = value;
        }

        return map;
    }

    private static JsonObject PeerService(CacheGroup cg) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(cg, ObjectNames.PeerService(cg), "peers"),
        ["spec"] = new JsonObject
        {
            // Headless: DNS answers with every pod's address, which is how sidecars find each other.
            ["clusterIP"] = "None",
            // Peers must see each other before they are ready: readiness needs a built ring.
            ["publishNotReadyAddresses"] = true,
            ["selector"] = Map(ObjectNames.SelectorLabels(cg)),
            ["ports"] = new JsonArray(new JsonObject
            {
                ["name"] = "peer",
                ["port"] = Ports.Peer,
                ["targetPort"] = "peer",
                ["protocol"] = "TCP",
            }),
        },
    };

    private static JsonObject ConfigMap(CacheGroup cg, RenderOptions options) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = Metadata(cg, ObjectNames.ConfigMap(cg), "config"),
        ["data"] = new JsonObject { [SidecarConfigRenderer.FileName] = SidecarConfigRenderer.Render(cg, options) },
    };

    private static JsonObject DisruptionBudget(CacheGroup cg) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = Metadata(cg, ObjectNames.DisruptionBudget(cg), "cache"),
        ["spec"] = new JsonObject
        {
            // At most one cache pod down by a voluntary disruption: each pod holds 1/N of the keys.
            ["maxUnavailable"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = Map(ObjectNames.SelectorLabels(cg)) },
        },
    };

    /// <summary>
    /// Admits the peer port only from the group's own pods, the metrics port only from the sources the spec names, and
    /// the application's declared ports only from theirs. A policy that selects pods closes every port it does not open:
    /// a rule with no sources would open its ports to every namespace, so a port without sources gets no rule at all.
    /// </summary>
    private static JsonObject NetworkPolicy(CacheGroup cg, NetworkPolicySpec spec)
    {
        var ingress = new JsonArray(new JsonObject
        {
            ["from"] = new JsonArray(new JsonObject { ["podSelector"] = new JsonObject { ["matchLabels"] = Map(ObjectNames.SelectorLabels(cg)) } }),
            ["ports"] = new JsonArray(Port(Ports.Peer)),
        });
        if (spec.MetricsFrom is { Count: > 0 } metricsFrom)
        {
            ingress.Add((JsonNode)new JsonObject { ["from"] = Sources(metricsFrom), ["ports"] = new JsonArray(Port(Ports.Metrics)) });
        }

        var applicationPorts = StatefulSetRenderer.ApplicationPorts(cg).ToArray();
        if (spec.ApplicationFrom is { Count: > 0 } applicationFrom && applicationPorts.Length > 0)
        {
            ingress.Add((JsonNode)new JsonObject { ["from"] = Sources(applicationFrom), ["ports"] = new JsonArray(applicationPorts) });
        }

        return new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "NetworkPolicy",
            ["metadata"] = Metadata(cg, ObjectNames.NetworkPolicy(cg), "peers"),
            ["spec"] = new JsonObject
            {
                ["podSelector"] = new JsonObject { ["matchLabels"] = Map(ObjectNames.SelectorLabels(cg)) },
                ["policyTypes"] = new JsonArray("Ingress"),
                ["ingress"] = ingress,
            },
        };
    }

    private static JsonArray Sources(IEnumerable<JsonObject> peers) => new(peers.Select(p => (JsonNode)p.DeepClone()).ToArray());

    private static JsonObject Port(int port) => new() { ["protocol"] = "TCP", ["port"] = port };
}
