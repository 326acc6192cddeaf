using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Kubernetes.Testing;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// One pod on the stand-in node: its network namespace and IP, its configMap and secret volumes written as the kubelet
/// writes them (and rewritten when the objects change), and its containers — native sidecars first, each after the one
/// before has started, then the application's. Environment: literal values, <c>fieldRef</c> (<c>status.podIP</c>,
/// <c>metadata.name</c>, <c>metadata.namespace</c>) and <c>resourceFieldRef</c> (<c>limits.memory</c>, in bytes).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RunningPod
{
    private readonly KubernetesApiTestServer _server;
    private readonly PodNetwork _network;
    private readonly Func<string, ContainerImage> _images;
    private readonly string _directory;
    private readonly List<RunningContainer> _containers = [];
    private readonly Dictionary<string, string> _volumeVersions = new(StringComparer.Ordinal);

    public RunningPod(KubernetesApiTestServer server, PodNetwork network, Func<string, ContainerImage> images, JsonObject pod, string directory, string resolvConf)
    {
        _server = server;
        _network = network;
        _images = images;
        Pod = pod;
        Namespace = (string)pod["metadata"]!["namespace"]!;
        Name = (string)pod["metadata"]!["name"]!;
        Uid = (string)pod["metadata"]!["uid"]!;
        _directory = Directory.CreateDirectory(directory).FullName;
        (NetworkNamespace, Ip) = network.AddPod(Uid, resolvConf);
        WriteVolumes();
        var spec = pod["spec"]!;
        foreach (var init in spec["initContainers"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            _containers.Add(new RunningContainer(init, (string?)init["restartPolicy"] == "Always", () => Launch(init)));
        }

        foreach (var container in spec["containers"]!.AsArray().OfType<JsonObject>())
        {
            _containers.Add(new RunningContainer(container, sidecar: false, () => Launch(container)));
        }
    }

    public JsonObject Pod { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public string NetworkNamespace { get; }

    public string Ip { get; }

    public IReadOnlyList<RunningContainer> Containers => _containers;

    public bool Ready => _containers.All(c => c.Ready);

    /// <summary>Starts what may start: each container once the ones before it have started (native sidecars), then
    /// restarts, probes and volume updates.</summary>
    public void Tick()
    {
        WriteVolumes();
        foreach (var container in _containers)
        {
            if (!container.Launched)
            {
                container.Start();
            }

            container.Tick((path, port) => _network.HttpGet(_network.NodeNamespace, $"http://{Ip}:{port}{path}").Status == "200");
            if (!container.Started)
            {
                break;
            }
        }
    }

    /// <summary>Stops the pod as the kubelet does: the application's containers first, then the native sidecars in
    /// reverse order, each SIGTERM then SIGKILL after what is left of the grace period; then the sandbox goes.</summary>
    public async Task StopAsync()
    {
        var grace = TimeSpan.FromSeconds((int?)Pod["spec"]!["terminationGracePeriodSeconds"] ?? 30);
        await Task.WhenAll(_containers.Where(c => !c.IsSidecar).Select(c => c.StopAsync(grace)));
        foreach (var sidecar in _containers.Where(c => c.IsSidecar).Reverse())
        {
            await sidecar.StopAsync(grace);
        }

        foreach (var container in _containers)
        {
            container.Dispose();
        }

        _network.RemovePod(Uid);
    }

    public JsonObject Status() => new()
    {
        ["phase"] = "Running",
        ["podIP"] = Ip,
        ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = Ip }),
        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = Ready ? "True" : "False" }),
        ["initContainerStatuses"] = new JsonArray(_containers.Where(c => Pod["spec"]!["initContainers"]?.AsArray().Any(i => (string?)i!["name"] == c.Name) == true).Select(c => (JsonNode)c.Status()).ToArray()),
        ["containerStatuses"] = new JsonArray(_containers.Where(c => Pod["spec"]!["containers"]!.AsArray().Any(i => (string?)i!["name"] == c.Name)).Select(c => (JsonNode)c.Status()).ToArray()),
    };

    /// <summary>Writes the configMap and secret volumes whose source changed since the last look.</summary>
    private void WriteVolumes()
    {
        var fsGroup = (long?)Pod["spec"]!["securityContext"]?["fsGroup"];
        foreach (var volume in Pod["spec"]!["volumes"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var name = (string)volume["name"]!;
            var (kind, sourceName, source) = volume["configMap"] is JsonObject cm ? ("configmaps", (string)cm["name"]!, cm)
                : volume["secret"] is JsonObject s ? ("secrets", (string)s["secretName"]!, s)
                : (null, null, null);
            if (kind is null)
            {
                Directory.CreateDirectory(VolumePath(name));
                continue;
            }

            var obj = _server.Store.Get(_server.Resource("v1", kind), Namespace, sourceName!);
            if (obj is null)
            {
                continue;
            }

            var version = (string)obj["metadata"]!["resourceVersion"]!;
            if (_volumeVersions.GetValueOrDefault(name) == version)
            {
                continue;
            }

            var data = obj["data"] as JsonObject ?? new JsonObject();
            var files = data.ToDictionary(
                p => p.Key,
                p => kind == "secrets" ? Convert.FromBase64String((string)p.Value!) : Encoding.UTF8.GetBytes((string)p.Value!),
                StringComparer.Ordinal);
            KubeletVolumes.Write(VolumePath(name), files, (int?)source!["defaultMode"] ?? KubeletVolumeAccess.DefaultFileMode, fsGroup);
            _volumeVersions[name] = version;
        }
    }

    private string VolumePath(string volume) => Path.Combine(_directory, "volumes", volume);

    /// <summary>The container's process: in the pod's network namespace, the volumes bound at their mount paths (in a
    /// mount namespace of its own), as the user the container, the pod or the image says, with only its environment;
    /// bound to the test host (<see cref="HostBoundProcess"/>: setpriv sets the parent-death signal after it changes
    /// the user, which would clear it).</summary>
    private ChildProcess Launch(JsonObject container)
    {
        var image = _images((string)container["image"]!);
        var context = container["securityContext"];
        var pod = Pod["spec"]!["securityContext"];
        var uid = (long?)context?["runAsUser"] ?? (long?)pod?["runAsUser"] ?? image.Uid;
        var gid = (long?)context?["runAsGroup"] ?? (long?)pod?["runAsGroup"] ?? image.Gid;
        var groups = new List<long>();
        if ((long?)pod?["fsGroup"] is { } fsGroup)
        {
            groups.Add(fsGroup);
        }

        groups.AddRange(pod?["supplementalGroups"]?.AsArray().Select(g => (long)g!) ?? []);
        var script = new StringBuilder("set -e\n");
        foreach (var mount in container["volumeMounts"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var target = Quote((string)mount["mountPath"]!);
            script.Append(CultureInfo.InvariantCulture, $"mkdir -p {target} && mount --bind {Quote(VolumePath((string)mount["name"]!))} {target}\n");
            if ((bool?)mount["readOnly"] == true)
            {
                script.Append(CultureInfo.InvariantCulture, $"mount -o remount,bind,ro {target}\n");
            }
        }

        var command = (container["command"]?.AsArray().Select(a => (string)a!) ?? image.Entrypoint)
            .Concat(container["args"]?.AsArray().Select(a => (string)a!) ?? []);
        var environment = Environment(container).Select(e => Quote($"{e.Key}={e.Value}"));
        var groupFlag = groups.Count == 0 ? "--clear-groups" : "--groups " + string.Join(',', groups);
        script.Append(CultureInfo.InvariantCulture, $"cd {Quote((string?)container["workingDir"] ?? "/")}\n");
        script.Append(CultureInfo.InvariantCulture,
            $"exec setpriv --pdeathsig KILL --reuid {uid} --regid {gid} {groupFlag} --inh-caps=-all env -i {string.Join(' ', environment)} {Quote(image.File)} {string.Join(' ', command.Select(Quote))}\n");
        var path = Path.Combine(_directory, $"{container["name"]}.sh");
        File.WriteAllText(path, script.ToString());
        return HostBoundProcess.Start(() => ChildProcess.Start("ip", _directory, ["netns", "exec", NetworkNamespace, "sh", path], captureOutput: true));
    }

    private Dictionary<string, string> Environment(JsonObject container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = "/tmp",
            ["HOSTNAME"] = Name,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var item in container["env"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var value = (string?)item["value"];
            if (item["valueFrom"]?["fieldRef"]?["fieldPath"] is { } field)
            {
                value = (string)field! switch
                {
                    "status.podIP" => Ip,
                    "metadata.name" => Name,
                    "metadata.namespace" => Namespace,
                    var other => throw new NotSupportedException($"fieldRef {other} is not served by the stand-in kubelet"),
                };
            }
            else if ((string?)item["valueFrom"]?["resourceFieldRef"]?["resource"] == "limits.memory")
            {
                value = container["resources"]?["limits"]?["memory"] is { } limit && Quantity.TryParse((string)limit!, out var bytes)
                    ? bytes.ToString(CultureInfo.InvariantCulture)
                    : long.MaxValue.ToString(CultureInfo.InvariantCulture);
            }

            env[(string)item["name"]!] = value ?? string.Empty;
        }

        return env;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
