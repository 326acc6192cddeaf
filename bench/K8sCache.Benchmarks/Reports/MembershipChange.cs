using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// What a deploy or a scale change costs the origin: sidecar processes on loopback addresses of their own, a loader in
/// this process that counts its calls, KEYS keys read once, then a steady read load (8 readers, random keys, each on a
/// random live node) while the membership changes as a StatefulSet changes it — a rolling restart (each pod in turn:
/// SIGTERM, gone from the others' member list, back with its address), a scale-down (the highest first) or a
/// scale-up — with or without hand-over (<c>HandOverTimeout</c> 0 turns it off), then reads every key once. Prints the
/// origin loads (during the change, and in that read), the Gets and their failures during the change, its duration,
/// and the ratio of Gets that needed no load before and during it.
/// Stops exactly the processes it started.
/// </summary>
internal sealed class MembershipChange : IAsyncDisposable
{
    private const int Readers = 8;
    private readonly string _sidecar;
    private readonly string _net = $"127.73.{Random.Shared.Next(30, 230)}";
    private readonly string _directory = Directory.CreateTempSubdirectory("k8scache-membership-").FullName;
    private readonly Dictionary<int, Process> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly bool _handOver;
    private WebApplication? _loader;
    private long _loads;
    private volatile int[] _live = [];

    private MembershipChange(string sidecar, bool handOver)
    {
        _sidecar = sidecar;
        _handOver = handOver;
    }

    /// <summary>SCENARIO: roll N, down FROM TO, up FROM TO.</summary>
    public static async Task RunAsync(string sidecar, string scenario, int from, int to, int keys, bool handOver)
    {
        await using var run = new MembershipChange(sidecar, handOver);
        await run.StartLoaderAsync();
        var members = Enumerable.Range(1, from).ToArray();
        File.WriteAllText(Path.Combine(run._directory, "token"), "membership-change-bench-token-0123456789");
        foreach (var node in members)
        {
            run.Start(node, members);
        }

        await run.WaitMembersAsync(members);
        var names = Enumerable.Range(0, keys).Select(i => $"key-{i:D6}").ToArray();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, _) => await run.GetAsync(members[0], key));
        run._live = members;

        var steady = await run.ReadWhileAsync(names, () => Task.Delay(TimeSpan.FromSeconds(5)));
        var started = Stopwatch.GetTimestamp();
        var change = await run.ReadWhileAsync(names, scenario switch
        {
            "roll" => () => run.RollAsync(members),
            "down" => () => run.ScaleAsync(members, Enumerable.Range(1, to).ToArray()),
            "up" => () => run.ScaleAsync(members, Enumerable.Range(1, to).ToArray()),
            _ => throw new ArgumentException($"unknown scenario '{scenario}': roll, down or up"),
        });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // Keys that changed hands but were not read during the change cost their load later: read each once.
        var loadsBeforeSweep = Interlocked.Read(ref run._loads);
        var live = run._live;
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, _) => await run.GetAsync(live[Random.Shared.Next(live.Length)], key));
        var sweepLoads = Interlocked.Read(ref run._loads) - loadsBeforeSweep;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{scenario} {from}->{to}, {keys} keys, hand-over {(handOver ? "on" : "off")}: {change.Loads + sweepLoads} origin loads ({100.0 * (change.Loads + sweepLoads) / keys:F1} % of the keys; {change.Loads} during the change, {sweepLoads} in a read of every key after it), " +
            $"{change.Gets} Gets, {change.Failed} failed, {seconds:F1} s; Gets without a load: {100 * steady.NoLoadRatio:F2} % steady, {100 * change.NoLoadRatio:F2} % during"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }

        if (_loader is not null)
        {
            await _loader.DisposeAsync();
        }

        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Ip(int node) => $"{_net}.{node}";

    /// <summary>Each pod in turn, highest first: SIGTERM, out of the others' list, back on the same address.</summary>
    private async Task RollAsync(int[] members)
    {
        foreach (var node in members.Reverse())
        {
            var others = members.Where(m => m != node).ToArray();
            _live = others;
            await StopAsync(node);
            await ChangeMembersAsync(others);
            // As the headless Service lists a pod: once it is ready.
            Start(node, members);
            await WaitMembersAsync([node], members.Length);
            await ChangeMembersAsync(members);
            _live = members;
        }
    }

    private async Task ScaleAsync(int[] from, int[] to)
    {
        if (to.Length < from.Length)
        {
            // A StatefulSet removes the highest ordinal first, one at a time.
            var current = from;
            foreach (var node in from.Except(to).Reverse())
            {
                current = current.Where(m => m != node).ToArray();
                _live = current;
                await StopAsync(node);
                await ChangeMembersAsync(current);
            }

            return;
        }

        var added = to.Except(from).ToArray();
        foreach (var node in added)
        {
            Start(node, to);
        }

        await WaitMembersAsync(added, to.Length);
        await ChangeMembersAsync(to);
        _live = to;
    }

    private async Task ChangeMembersAsync(int[] members)
    {
        foreach (var node in members)
        {
            WriteConfig(node, members);
        }

        await WaitMembersAsync(members);
    }

    private void Start(int node, int[] members)
    {
        var config = WriteConfig(node, members);
        var start = new ProcessStartInfo("dotnet", [_sidecar, "--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[node] = process;
    }

    private async Task StopAsync(int node)
    {
        var process = _processes[node];
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        process.Dispose();
        _processes.Remove(node);
    }

    private string WriteConfig(int node, int[] members)
    {
        var ip = Ip(node);
        var config = new Dictionary<string, object>
        {
            ["K8sCache"] = new Dictionary<string, object>
            {
                ["Self"] = $"{ip}:7070",
                ["Discovery"] = "static:///" + string.Join(',', members.Select(m => $"{Ip(m)}:7070")),
                ["DiscoveryInterval"] = "200ms",
                ["PeerAddress"] = $"{ip}:7070",
                ["ApiAddress"] = $"{ip}:7071",
                ["GrpcAddress"] = $"{ip}:7072",
                ["AdminAddress"] = $"{ip}:9090",
                ["RespAddress"] = "",
                ["PeerTokenFile"] = Path.Combine(_directory, "token"),
                ["HandOverTimeout"] = _handOver ? "15s" : "0s",
                ["Groups"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Name"] = "scores", ["MaxBytes"] = "256Mi",
                        ["Loader"] = new Dictionary<string, object> { ["Url"] = $"http://{_net}.200:8080/scores/{{key}}", ["Timeout"] = "5s" },
                    },
                },
            },
        };
        var path = Path.Combine(_directory, $"node-{node}.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(config));
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private Task WaitMembersAsync(int[] members) => WaitMembersAsync(members, members.Length);

    /// <summary>Waits until each of <paramref name="nodes"/> answers with a ring of <paramref name="count"/> members.</summary>
    private async Task WaitMembersAsync(int[] nodes, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var node in nodes)
        {
            while (true)
            {
                try
                {
                    using var stats = JsonDocument.Parse(await _http.GetStringAsync($"http://{Ip(node)}:7071/v1/stats"));
                    if (stats.RootElement.GetProperty("ring").GetProperty("members").GetArrayLength() == count)
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
                {
                    // Not up yet.
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"node {node} never saw {count} members");
                }

                await Task.Delay(50);
            }
        }
    }

    private async Task<bool> GetAsync(int node, string key)
    {
        try
        {
            using var response = await _http.GetAsync($"http://{Ip(node)}:7071/v1/groups/scores/keys/{key}");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Reads random keys from random live nodes while <paramref name="during"/> runs.</summary>
    private async Task<(long Gets, long Failed, long Loads, double NoLoadRatio)> ReadWhileAsync(string[] keys, Func<Task> during)
    {
        var (gets, failed, loadsBefore) = (0L, 0L, Interlocked.Read(ref _loads));
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var live = _live;
                var ok = await GetAsync(live[Random.Shared.Next(live.Length)], keys[Random.Shared.Next(keys.Length)]);
                Interlocked.Increment(ref gets);
                if (!ok)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        try
        {
            await during();
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }

        var loads = Interlocked.Read(ref _loads) - loadsBefore;
        return (gets, failed, loads, gets == 0 ? 1 : 1.0 - (double)loads / gets);
    }

    private async Task StartLoaderAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse($"{_net}.200"), 8080));
        _loader = builder.Build();
        var value = new byte[100];
        _loader.MapGet("/scores/{key}", (HttpContext context) =>
        {
            Interlocked.Increment(ref _loads);
            context.Response.ContentType = "application/octet-stream";
            return context.Response.Body.WriteAsync(value, context.RequestAborted).AsTask();
        });
        await _loader.StartAsync();
    }
}
