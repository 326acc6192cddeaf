using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using K8sCache.Kubernetes.Testing;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// The stand-in for one node's kubelet: every Pod in the API test server runs here as a <see cref="RunningPod"/>;
/// every half second each pod's containers are started, restarted, probed and its volumes refreshed, and its status
/// (IP, Ready condition, container states and restart counts) is written back. A deleted Pod is stopped with SIGTERM,
/// its grace period, then SIGKILL. Left out: scheduling (there is one node), images (a name maps to a local build),
/// cgroup limits, init containers that run to completion before others, exec and TCP probes, ephemeral containers.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeAgent(KubernetesApiTestServer server, PodNetwork network, Func<string, ContainerImage> images, string directory) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);

    private ApiResource Pods => server.Resource("v1", "pods");

    /// <summary>The pods running now, by UID.</summary>
    public IReadOnlyCollection<RunningPod> Running => _pods.Values.ToArray();

    /// <summary>The cluster DNS resolver every pod uses.</summary>
    public string ResolvConf { get; init; } = string.Empty;

    /// <summary>The last error setting up each pod that could not be started, by <c>namespace/name</c>.</summary>
    public ConcurrentDictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    public RunningPod? Find(string ns, string name) => _pods.Values.FirstOrDefault(p => p.Namespace == ns && p.Name == name);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await SyncAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_pods.Values.Select(p => p.StopAsync()));
        _pods.Clear();
    }

    private async Task SyncAsync()
    {
        var wanted = server.Store.List(Pods, null, _ => true).Items.ToDictionary(p => (string)p["metadata"]!["uid"]!, StringComparer.Ordinal);
        foreach (var (uid, pod) in _pods.Where(p => !wanted.ContainsKey(p.Key)).ToArray())
        {
            _pods.TryRemove(uid, out _);
            await pod.StopAsync();
        }

        foreach (var (uid, obj) in wanted)
        {
            try
            {
                var pod = _pods.GetOrAdd(uid, _ => new RunningPod(server, network, images, obj, Path.Combine(directory, uid), ResolvConf));
                pod.Tick();
                WriteStatus(obj, pod.Status());
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or NotSupportedException or UnauthorizedAccessException)
            {
                // As a kubelet reports a pod it cannot set up: on the pod, and it tries again on the next look.
                Failures[$"{obj["metadata"]!["namespace"]}/{obj["metadata"]!["name"]}"] = e.Message;
            }
        }
    }

    private void WriteStatus(JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
        {
            return;
        }

        var next = (JsonObject)obj.DeepClone();
        next["status"] = status;
        try
        {
            server.Store.Update(Pods, (string)obj["metadata"]!["namespace"]!, (string)obj["metadata"]!["name"]!, next, "kubelet", statusOnly: true);
        }
        catch (ApiException)
        {
            // Changed or deleted meanwhile: the next look writes it again.
        }
    }
}
