using System.Text.Json.Nodes;
using K8sCache.Operator.Api;

namespace K8sCache.Operator.Rendering;

/// <summary>
/// The StatefulSet: the user's pod template (if any) with the cache sidecar added. Beside application containers the
/// sidecar is a native sidecar (an init container with <c>restartPolicy: Always</c>): the kubelet starts it, and waits
/// for its startup probe, before the application, and stops it after the application has exited, so the application
/// never sees its localhost cache missing. A cache-only pod has the sidecar as its one container. The configuration is
/// mounted from the ConfigMap and re-read by the sidecar when it changes, so a change of groups never restarts pods; a
/// change of image or resources changes the pod template and rolls the StatefulSet.
/// </summary>
internal static class StatefulSetRenderer
{
    public const string SidecarContainerName = "k8scache";

    /// <summary>The user and group the sidecar runs as: the sidecar image's <c>USER</c> (Dockerfile), set explicitly
    /// so the pod does not depend on the image's metadata. A test keeps the two equal.</summary>
    public const long SidecarUser = 1654;

    /// <summary>0440: the token and configuration files are readable by their group, which <c>fsGroup</c> makes the
    /// sidecar's, and by nobody else.</summary>
    public const int MountedFileMode = 0x120;

    /// <summary>Pod-template annotation with a hash of the peer token: a new token (the Secret was deleted and made
    /// anew) changes the template, so the pods roll onto it.</summary>
    public const string PeerTokenHashAnnotation = "k8scache.io/peer-token-hash";

    /// <summary>The pod's grace period unless its template asks for more: the application's own stop (10 s), then
    /// the sidecar's drain (1 s), hand-over of its entries (15 s) and in-flight calls (10 s), with room to spare.</summary>
    public const int TerminationGracePeriodSeconds = 45;

    private const string RespSocketVolume = "k8scache-redis";

    public static JsonObject Render(CacheGroup cg, RenderOptions options, string? peerTokenHash = null)
    {
        var template = cg.Spec.Template?.DeepClone().AsObject() ?? new JsonObject();
        var metadata = Child<JsonObject>(template, "metadata", "spec.template");
        var labels = Child<JsonObject>(metadata, "labels", "spec.template.metadata");
        foreach (var (key, value) in ObjectNames.Labels(cg, "cache"))
        {
            labels[key] = value;
        }

        if (peerTokenHash is not null)
        {
            Child<JsonObject>(metadata, "annotations", "spec.template.metadata")[PeerTokenHashAnnotation] = peerTokenHash;
        }

        var spec = Child<JsonObject>(template, "spec", "spec.template");
        if (!long.TryParse(spec["terminationGracePeriodSeconds"]?.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var grace)
            || grace < TerminationGracePeriodSeconds)
        {
            // A leaving sidecar hands its entries over before it exits (docs/operations.md, "Deploys and hand-over").
            spec["terminationGracePeriodSeconds"] = TerminationGracePeriodSeconds;
        }

        var containers = Child<JsonArray>(spec, "containers", "spec.template.spec");
        var taken = ApplicationPorts(cg).FirstOrDefault(p => Ports.All.Contains((int)p["port"]!));
        if (taken is not null)
        {
            throw new InvalidSpecException(
                $"spec.template.spec.containers: port {taken["port"]} is the cache sidecar's; the sidecar uses {string.Join(", ", Ports.All)} in every pod");
        }

        var sidecar = Sidecar(cg, options);
        if (containers.Count > 0)
        {
            sidecar["restartPolicy"] = "Always";
            sidecar["startupProbe"] = Probe("/healthz", periodSeconds: 1, failureThreshold: 60);
            Child<JsonArray>(spec, "initContainers", "spec.template.spec").Insert(0, sidecar);
        }
        else
        {
            containers.Add((JsonNode)sidecar);
        }

        var volumes = Child<JsonArray>(spec, "volumes", "spec.template.spec");
        volumes.Add((JsonNode)new JsonObject
        {
            ["name"] = "k8scache-config",
            ["configMap"] = new JsonObject { ["name"] = ObjectNames.ConfigMap(cg), ["defaultMode"] = MountedFileMode },
        });
        volumes.Add((JsonNode)new JsonObject
        {
            ["name"] = "k8scache-peer-token",
            ["secret"] = new JsonObject { ["secretName"] = ObjectNames.PeerTokenSecret(cg), ["defaultMode"] = MountedFileMode },
        });
        if (cg.Spec.Resp?.UnixSocket == true)
        {
            // One emptyDir for the socket, in the sidecar and in every application container at the same path.
            volumes.Add((JsonNode)new JsonObject { ["name"] = RespSocketVolume, ["emptyDir"] = new JsonObject() });
            foreach (var container in new[] { sidecar }.Concat(containers.OfType<JsonObject>()))
            {
                Child<JsonArray>(container, "volumeMounts", "spec.template.spec.containers[]").Add((JsonNode)new JsonObject
                {
                    ["name"] = RespSocketVolume,
                    ["mountPath"] = SidecarConfigRenderer.RespSocketDirectory,
                });
            }
        }

        spec["securityContext"] = PodSecurityContext(spec["securityContext"] is null ? null : Child<JsonObject>(spec, "securityContext", "spec.template.spec"));

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["metadata"] = ManifestRenderer.Metadata(cg, ObjectNames.StatefulSet(cg), "cache"),
            ["spec"] = new JsonObject
            {
                ["replicas"] = cg.Spec.DesiredReplicas(),
                ["serviceName"] = ObjectNames.PeerService(cg),
                // Cache pods hold no state that needs ordered start: start and stop them all at once.
                ["podManagementPolicy"] = "Parallel",
                ["selector"] = new JsonObject { ["matchLabels"] = ManifestRenderer.Map(ObjectNames.SelectorLabels(cg)) },
                ["template"] = template,
            },
        };
    }

    /// <summary>The ports the application's containers declare, as NetworkPolicy ports. Throws
    /// <see cref="InvalidSpecException"/> naming the field when a port is not a number from 1 to 65535.</summary>
    public static IEnumerable<JsonObject> ApplicationPorts(CacheGroup cg)
    {
        if (cg.Spec.Template?["spec"]?["containers"] is not JsonArray containers)
        {
            return [];
        }

        var found = new List<JsonObject>();
        for (var c = 0; c < containers.Count; c++)
        {
            if (containers[c]?["ports"] is not JsonArray ports)
            {
                continue;
            }

            for (var p = 0; p < ports.Count; p++)
            {
                var path = $"spec.template.spec.containers[{c}].ports[{p}]";
                var port = ports[p]?["containerPort"];
                if (port is not JsonValue value || !value.TryGetValue<int>(out var number) || number is < 1 or > 65535)
                {
                    throw new InvalidSpecException($"{path}.containerPort: {port?.ToJsonString() ?? "missing"} is not a port number (1-65535)");
                }

                var protocol = ports[p]?["protocol"];
                if (protocol is not null && (protocol is not JsonValue text || !text.TryGetValue<string>(out _)))
                {
                    throw new InvalidSpecException($"{path}.protocol: {protocol.ToJsonString()} is not TCP, UDP or SCTP");
                }

                found.Add(new JsonObject { ["protocol"] = (string?)protocol ?? "TCP", ["port"] = number });
            }
        }

        return found;
    }

    /// <summary>The child <paramref name="name"/> of a part of the user's template, created when absent. The template is
    /// free-form in the CRD, so a wrong type is refused here, naming the field, instead of being silently replaced.</summary>
    private static T Child<T>(JsonObject parent, string name, string path)
        where T : JsonNode
    {
        switch (parent[name])
        {
            case null:
                var created = (T)(JsonNode)(typeof(T) == typeof(JsonArray) ? new JsonArray() : new JsonObject());
                parent[name] = created;
                return created;
            case T existing:
                return existing;
            default:
                throw new InvalidSpecException($"{path}.{name}: {parent[name]!.ToJsonString()} is not {(typeof(T) == typeof(JsonArray) ? "a list" : "an object")}");
        }
    }

    private static JsonObject Sidecar(CacheGroup cg, RenderOptions options)
    {
        var image = string.IsNullOrEmpty(cg.Spec.Sidecar?.Image) ? options.DefaultSidecarImage : cg.Spec.Sidecar!.Image!;
        var container = new JsonObject
        {
            ["name"] = SidecarContainerName,
            ["image"] = image,
            ["imagePullPolicy"] = cg.Spec.Sidecar?.ImagePullPolicy ?? "IfNotPresent",
            ["args"] = new JsonArray("--config", $"{SidecarConfigRenderer.Directory}/{SidecarConfigRenderer.FileName}"),
            ["env"] = SidecarEnvironment(cg, options),
            ["ports"] = new JsonArray(
                ContainerPort("peer", Ports.Peer),
                ContainerPort("api", Ports.Api),
                ContainerPort("grpc", Ports.Grpc),
                ContainerPort("metrics", Ports.Metrics),
                ContainerPort("resp", Ports.Resp)),
            ["readinessProbe"] = Probe("/readyz", periodSeconds: 5),
            ["livenessProbe"] = Probe("/healthz", periodSeconds: 10),
            ["resources"] = cg.Spec.Sidecar?.Resources?.DeepClone() ?? new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" },
            },
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["runAsNonRoot"] = true,
                ["runAsUser"] = SidecarUser,
                ["runAsGroup"] = SidecarUser,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
                ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
            },
            ["volumeMounts"] = new JsonArray(
                new JsonObject { ["name"] = "k8scache-config", ["mountPath"] = SidecarConfigRenderer.Directory, ["readOnly"] = true },
                new JsonObject { ["name"] = "k8scache-peer-token", ["mountPath"] = SidecarConfigRenderer.TokenDirectory, ["readOnly"] = true }),
        };
        return container;
    }

    /// <summary>
    /// The kubelet writes secret and configMap files owned by root; only <c>fsGroup</c> makes them the sidecar's group
    /// (and adds group read). So the pod always has one: the user's own when their template sets it (every container
    /// gets it as a supplementary group, the sidecar too), else the sidecar's group. The rest of a user's context is kept.
    /// </summary>
    private static JsonObject PodSecurityContext(JsonObject? users)
    {
        var context = users ?? new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        context["fsGroup"] ??= SidecarUser;
        return context;
    }

    /// <summary>POD_IP, and with a memory limit on the sidecar, that limit (the downward API's <c>limits.memory</c> in
    /// bytes) as <c>MemoryLimit</c>, from which groups without a MaxBytes take their budgets. Without a limit the
    /// downward API would answer the node's whole memory, so nothing is passed and the sidecar keeps its defaults.
    /// With an OTLP collector, the standard OTEL_* variables (<see cref="Telemetry"/>).</summary>
    private static JsonArray SidecarEnvironment(CacheGroup cg, RenderOptions options)
    {
        var env = new JsonArray(FieldVariable("POD_IP", "status.podIP"));
        if (cg.Spec.Sidecar?.Resources?["limits"]?["memory"] is not null)
        {
            env.Add((JsonNode)new JsonObject
            {
                ["name"] = "K8sCache__MemoryLimit",
                ["valueFrom"] = new JsonObject
                {
                    ["resourceFieldRef"] = new JsonObject { ["containerName"] = SidecarContainerName, ["resource"] = "limits.memory" },
                },
            });
        }

        foreach (var variable in Telemetry(cg, options))
        {
            env.Add((JsonNode)variable);
        }

        return env;
    }

    /// <summary>The OTLP variables of a sidecar: the collector and protocol, the service name, and the pod's name and
    /// namespace (from the downward API, expanded by the kubelet into OTEL_RESOURCE_ATTRIBUTES) with the CacheGroup.</summary>
    private static IEnumerable<JsonObject> Telemetry(CacheGroup cg, RenderOptions options)
    {
        if (options.OtlpEndpoint is null)
        {
            yield break;
        }

        yield return FieldVariable("POD_NAME", "metadata.name");
        yield return FieldVariable("POD_NAMESPACE", "metadata.namespace");
        yield return new JsonObject { ["name"] = "OTEL_EXPORTER_OTLP_ENDPOINT", ["value"] = options.OtlpEndpoint };
        if (options.OtlpProtocol is { } protocol)
        {
            yield return new JsonObject { ["name"] = "OTEL_EXPORTER_OTLP_PROTOCOL", ["value"] = protocol };
        }

        yield return new JsonObject { ["name"] = "OTEL_SERVICE_NAME", ["value"] = "k8scache-sidecar" };
        yield return new JsonObject
        {
            ["name"] = "OTEL_RESOURCE_ATTRIBUTES",
            ["value"] = $"k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8scache.cachegroup={cg.Metadata.Name}",
        };
    }

    private static JsonObject FieldVariable(string name, string fieldPath) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } },
    };

    private static JsonObject ContainerPort(string name, int port) => new()
    {
        ["name"] = name,
        ["containerPort"] = port,
        ["protocol"] = "TCP",
    };

    private static JsonObject Probe(string path, int periodSeconds, int failureThreshold = 3) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = "metrics" },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
    };
}
