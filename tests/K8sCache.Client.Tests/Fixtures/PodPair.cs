using System.Text.Json;

namespace K8sCache.Client.Tests.Fixtures;

/// <summary>
/// Pods without Kubernetes: <see cref="Count"/> sidecar processes on a loopback /24 of their own (127.A.B.1…), each
/// with its application beside it — the application's client talks to its own sidecar's Redis endpoint, the sidecar's
/// loader calls its own application (whose distributed cache keys belong to group "kv"). Static discovery, one peer token. Group "scores" has the application's loader
/// (timeout 5 s: long enough that no load of a busy machine times out, which would fail a test on speed), group "kv"
/// none. Disposing stops exactly the processes it started.
/// </summary>
public sealed class PodPair : IAsyncDisposable
{
    public const int Count = 2;

    private readonly string _directory = Directory.CreateTempSubdirectory("k8scache-client-").FullName;
    private readonly string _network = $"127.{Random.Shared.Next(2, 250)}.{Random.Shared.Next(1, 250)}";
    private readonly ChildProcess?[] _sidecars = new ChildProcess?[Count];

    public Application[] Applications { get; } = new Application[Count];

    public string Ip(int pod) => $"{_network}.{pod + 1}";

    public string RespEndpoint(int pod) => $"{Ip(pod)}:6379";

    /// <summary>The Unix domain socket the pod's sidecar also serves.</summary>
    public string RespSocket(int pod) => Path.Combine(_directory, $"resp-{pod}.sock");

    public static async Task<PodPair> StartAsync()
    {
        var pods = new PodPair();
        try
        {
            for (var i = 0; i < Count; i++)
            {
                var endpoint = pods.RespEndpoint(i);
                pods.Applications[i] = await Application.StartAsync(o => (o.Endpoint, o.DefaultGroup) = (endpoint, "kv"));
                pods.StartSidecar(i);
            }

            // Twice: a pod may mark the other down just before the other listens, and up again after the first pass.
            for (var pass = 0; pass < 2; pass++)
            {
                for (var i = 0; i < Count; i++)
                {
                    await pods.WaitReadyAsync(i);
                }
            }

            return pods;
        }
        catch
        {
            await pods.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or starts again) pod <paramref name="pod"/>'s sidecar on the same addresses.</summary>
    public void StartSidecar(int pod)
    {
        var token = Path.Combine(_directory, "peer-token");
        if (!File.Exists(token))
        {
            File.WriteAllText(token, "client-tests-peer-token-0123456789");
        }

        var ip = Ip(pod);
        var config = new Dictionary<string, object>
        {
            ["K8sCache"] = new Dictionary<string, object>
            {
                ["Self"] = $"{ip}:7070",
                ["Discovery"] = "static:///" + string.Join(',', Enumerable.Range(0, Count).Select(i => $"{Ip(i)}:7070")),
                ["DiscoveryInterval"] = "200ms",
                ["PeerAddress"] = $"{ip}:7070",
                ["ApiAddress"] = $"{ip}:7071",
                ["GrpcAddress"] = $"{ip}:7072",
                ["AdminAddress"] = $"{ip}:9090",
                ["RespAddress"] = $"{ip}:6379",
                ["Resp"] = new Dictionary<string, object> { ["UnixSocket"] = RespSocket(pod) },
                ["PeerTokenFile"] = token,
                ["PeerTimeout"] = "10s",
                ["Groups"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Name"] = "scores", ["MaxBytes"] = "16Mi", ["Ttl"] = "5m",
                        ["Loader"] = new Dictionary<string, object> { ["Url"] = Applications[pod].Address + "/k8scache/scores/{key}", ["Timeout"] = "5s" },
                    },
                    new Dictionary<string, object> { ["Name"] = "kv", ["MaxBytes"] = "16Mi" },
                },
            },
        };
        var path = Path.Combine(_directory, $"sidecar-{pod}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        _sidecars[pod]?.Dispose();
        _sidecars[pod] = ChildProcess.Start("dotnet", AppContext.BaseDirectory,
            [Path.Combine(AppContext.BaseDirectory, "k8scache-sidecar.dll"), "--config", path], captureOutput: true);
    }

    /// <summary>SIGKILL of pod <paramref name="pod"/>'s sidecar.</summary>
    public void KillSidecar(int pod) => _sidecars[pod]!.Kill();

    public async Task WaitReadyAsync(int pod)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var stats = JsonDocument.Parse(await http.GetStringAsync($"http://{Ip(pod)}:7071/v1/stats"));
                // Both members, and the peer up: a peer marked down at start (pinged before it listened) and then up
                // again would tell subscribers that changes may have been missed, in the middle of a test.
                var ring = stats.RootElement.GetProperty("ring");
                if (ring.GetProperty("members").GetArrayLength() == Count && ring.GetProperty("peersDown").GetInt32() == 0)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                // Not up yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"sidecar {pod} never saw both members up\n{_sidecars[pod]?.StandardOutput}{_sidecars[pod]?.StandardError}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sidecar in _sidecars)
        {
            sidecar?.Dispose();
        }

        foreach (var application in Applications.Where(a => a is not null))
        {
            await application.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
