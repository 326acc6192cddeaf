using System.Text.Json;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>
/// One sidecar as a real process (<c>dotnet k8scache-sidecar.dll --config FILE</c>) on its own loopback address, with
/// the production ports: peer 7070, HTTP API 7071, gRPC API 7072, admin 9090, and RESP on 7073 (or the same offsets from another peer
/// port, for nodes that share an address such as <c>::1</c>). Its configuration file can be rewritten while it runs
/// (the sidecar re-reads it). Disposing kills exactly this process.
/// </summary>
public sealed class SidecarNode : IDisposable
{
    private readonly string _configPath;
    private readonly Func<string, IReadOnlyList<string>> _wrapCommand;
    private readonly int _peerPort;
    private ChildProcess? _process;

    public SidecarNode(string ip, string directory, Func<string, IReadOnlyList<string>>? wrapCommand = null, int peerPort = 7070)
    {
        Ip = ip;
        _peerPort = peerPort;
        _configPath = Path.Combine(directory, $"sidecar-{ip.Replace(':', '_')}-{peerPort}.json");
        _wrapCommand = wrapCommand ?? (dll => ["dotnet", dll]);
    }

    public string Ip { get; }

    public string PeerAddress => At(_peerPort);

    public Uri ApiUri => new($"http://{At(_peerPort + 1)}");

    public string GrpcAddress => $"http://{At(_peerPort + 2)}";

    public Uri AdminUri => new($"http://{At(_peerPort + 2020)}");

    /// <summary>The Redis protocol endpoint's port (on <see cref="Ip"/>).</summary>
    public int RespPort => _peerPort + 3;

    public ChildProcess Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Environment variables of the process, set before <see cref="Start"/>.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>More keys of the <c>K8sCache</c> section, written with the next <see cref="WriteConfig"/>.</summary>
    public Dictionary<string, object> Settings { get; } = [];

    public string Logs => _process is null ? string.Empty : _process.StandardOutput + _process.StandardError;

    public void WriteConfig(string discovery, string tokenFile, string loaderUrl, params string[] extraGroups)
    {
        var config = new Dictionary<string, object>
        {
            ["K8sCache"] = new Dictionary<string, object>
            {
                ["Self"] = PeerAddress,
                ["Discovery"] = discovery,
                ["DiscoveryInterval"] = "200ms",
                ["PeerAddress"] = PeerAddress,
                ["ApiAddress"] = At(_peerPort + 1),
                ["GrpcAddress"] = At(_peerPort + 2),
                ["AdminAddress"] = At(_peerPort + 2020),
                ["RespAddress"] = At(_peerPort + 3),
                ["PeerTokenFile"] = tokenFile,
                // Long enough that a slow first load on a busy machine never times out into a second, local load:
                // tests that count loads must not depend on timing. A dead peer fails at once (connection refused).
                ["PeerTimeout"] = "10s",
                ["Limits"] = new Dictionary<string, object> { ["MaxKeyBytes"] = 256, ["MaxValueBytes"] = 65536 },
                ["Groups"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Name"] = "scores", ["MaxBytes"] = "16Mi", ["Ttl"] = "5m",
                        ["Loader"] = new Dictionary<string, object> { ["Url"] = loaderUrl, ["Timeout"] = "5s" },
                    },
                    new Dictionary<string, object> { ["Name"] = "kv", ["MaxBytes"] = "16Mi" },
                }.Concat(extraGroups.Select(name => new Dictionary<string, object> { ["Name"] = name, ["MaxBytes"] = "1Mi" })).ToArray(),
            },
        };

        var section = (Dictionary<string, object>)config["K8sCache"];
        foreach (var (key, value) in Settings)
        {
            section[key] = value;
        }

        // Write-then-rename: the sidecar never reads a half-written file.
        var temp = _configPath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(config));
        File.Move(temp, _configPath, overwrite: true);
    }

    public void Start()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "k8scache-sidecar.dll");
        var command = _wrapCommand(dll);
        _process = ChildProcess.Start(command[0], AppContext.BaseDirectory, command.Skip(1).Concat(["--config", _configPath]), captureOutput: true, Environment);
    }

    /// <summary>Waits until the node's output contains <paramref name="text"/>: evidence that something happened in the
    /// node (bounded; the test asserts what follows, never the wait itself).</summary>
    public async Task WaitForLogAsync(string text)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!Logs.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Ip} never logged '{text}'\n{Logs}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _process?.Dispose();

    private string At(int port) => Ip.Contains(':', StringComparison.Ordinal) ? $"[{Ip}]:{port}" : $"{Ip}:{port}";
}
