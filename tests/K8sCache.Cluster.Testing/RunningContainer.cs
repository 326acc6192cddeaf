using System.Diagnostics;
using System.Text.Json.Nodes;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// One container of a pod as the kubelet keeps it: its process, restarts with back-off (10 s doubling to 5 min,
/// <c>CrashLoopBackOff</c> meanwhile), probes (HTTP GET from the node, at their period and failure threshold), and the
/// status it reports. The process is the container: it runs in the pod's network namespace, as the pod or the image
/// says, with the pod's volumes bind-mounted at their paths.
/// </summary>
public sealed class RunningContainer(JsonObject spec, bool sidecar, Func<ChildProcess> start)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, (long NextAt, int Failures)> _probes = new(StringComparer.Ordinal);
    private ChildProcess? _process;
    private long _restartAt;
    private TimeSpan _backoff = TimeSpan.FromSeconds(10);
    private int? _lastExitCode;
    private bool _stopping;

    public string Name { get; } = (string)spec["name"]!;

    public JsonObject Spec { get; } = spec;

    /// <summary>A native sidecar: an init container with <c>restartPolicy: Always</c>.</summary>
    public bool IsSidecar { get; } = sidecar;

    public int RestartCount { get; private set; }

    public bool Launched { get; private set; }

    public bool Started { get; private set; }

    public bool Ready { get; private set; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public string Logs => _process is null ? string.Empty : _process.StandardOutput + _process.StandardError;

    public void Start()
    {
        _process = start();
        Launched = true;
        _probes.Clear();
        Started = Spec["startupProbe"] is null;
        Ready = false;
    }

    /// <summary>One look, as the kubelet's sync loop takes: restart a dead process when its back-off has passed,
    /// run the probes that are due.</summary>
    public void Tick(Func<string, int, bool> httpGet)
    {
        if (_stopping || _process is null)
        {
            return;
        }

        if (_process.HasExited)
        {
            if (_restartAt == 0)
            {
                _lastExitCode = _process.WaitForExitAsync(TimeSpan.FromSeconds(1)).GetAwaiter().GetResult();
                (Started, Ready) = (false, false);
                _restartAt = Stopwatch.GetTimestamp() + (long)(_backoff.TotalSeconds * Stopwatch.Frequency);
                _backoff = _backoff * 2 > MaxBackoff ? MaxBackoff : _backoff * 2;
            }
            else if (Stopwatch.GetTimestamp() >= _restartAt)
            {
                _restartAt = 0;
                RestartCount++;
                _process.Dispose();
                Start();
            }

            return;
        }

        if (!Started)
        {
            Started = Probe("startupProbe", httpGet) ?? Started;
            return;
        }

        if (Probe("livenessProbe", httpGet) == false)
        {
            _process.Kill();
        }

        Ready = Probe("readinessProbe", httpGet) ?? (Spec["readinessProbe"] is null || Ready);
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        Ready = false;
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        await process.TerminateAsync();
        try
        {
            await process.WaitForExitAsync(grace);
        }
        catch (TimeoutException)
        {
            process.Kill();
        }
    }

    public void Dispose() => _process?.Dispose();

    public JsonObject Status() => new()
    {
        ["name"] = Name,
        ["image"] = Spec["image"]?.DeepClone(),
        ["ready"] = Ready,
        ["started"] = Started,
        ["restartCount"] = RestartCount,
        ["state"] = _process is { HasExited: false }
            ? new JsonObject { ["running"] = new JsonObject() }
            : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = RestartCount > 0 || _lastExitCode is not null ? "CrashLoopBackOff" : "ContainerCreating" } },
        ["lastState"] = _lastExitCode is { } code
            ? new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = code == 0 ? "Completed" : "Error" } }
            : new JsonObject(),
    };

    /// <summary>Runs <paramref name="probe"/> when due; true/false once its verdict changes the state, null when
    /// nothing was decided this time (not due, or failures below the threshold).</summary>
    private bool? Probe(string probe, Func<string, int, bool> httpGet)
    {
        if (Spec[probe]?["httpGet"] is not JsonObject get)
        {
            return null;
        }

        var now = Stopwatch.GetTimestamp();
        var (nextAt, failures) = _probes.GetValueOrDefault(probe);
        if (now < nextAt)
        {
            return null;
        }

        var period = (int?)Spec[probe]!["periodSeconds"] ?? 10;
        var threshold = (int?)Spec[probe]!["failureThreshold"] ?? 3;
        var ok = httpGet((string?)get["path"] ?? "/", Port(get["port"]!));
        failures = ok ? 0 : failures + 1;
        _probes[probe] = (now + (long)(period * Stopwatch.Frequency), failures);
        return ok ? true : failures >= threshold ? false : null;
    }

    private int Port(JsonNode port) =>
        port is JsonValue value && value.TryGetValue<int>(out var number)
            ? number
            : (int)Spec["ports"]!.AsArray().Single(p => (string?)p!["name"] == (string?)port)!["containerPort"]!;
}
