using System.Diagnostics;
using System.Globalization;
using K8sCache.Cluster.Testing;
using K8sCache.Testing;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// The operator binary's cost at rest: each run starts the API test server with the CacheGroup CRD and the example
/// CacheGroup, spawns OPERATOR (a published binary) with a kubeconfig for it, and records the time from spawn to
/// <c>/readyz</c> answering, to the example's StatefulSet applied, and the resident set (VmRSS) after 10 s idle.
/// Prints the median of each. Stops exactly the process it started.
/// </summary>
internal static class OperatorFootprint
{
    public static async Task RunAsync(string operatorBinary, int runs)
    {
        var ready = new List<double>();
        var reconciled = new List<double>();
        var rss = new List<double>();
        var anonymous = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (r, s, m, a) = await MeasureAsync(operatorBinary);
            ready.Add(r);
            reconciled.Add(s);
            rss.Add(m);
            anonymous.Add(a);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{operatorBinary}: ready {Median(ready):F0} ms, first StatefulSet applied {Median(reconciled):F0} ms, idle RSS {Median(rss):F1} MiB of which {Median(anonymous):F1} MiB anonymous (heap, stacks) and the rest mapped files (median of {runs})"));
    }

    private static async Task<(double ReadyMs, double ReconciledMs, double RssMiB, double AnonymousMiB)> MeasureAsync(string operatorBinary)
    {
        await using var cluster = await ClusterEnvironment.StartAsync();
        var (exit, _, error) = await cluster.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        if (exit != 0)
        {
            throw new InvalidOperationException(error);
        }

        var port = LoopbackPorts.Free();
        var started = Stopwatch.GetTimestamp();
        using var process = ChildProcess.Start(operatorBinary, cluster.Directory, [], captureOutput: true, environment: new Dictionary<string, string>
        {
            ["KUBECONFIG"] = cluster.Kubeconfig,
            ["Operator__MetricsAddress"] = $"127.0.0.1:{port}",
            ["Operator__Identity"] = "footprint",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        double? readyMs = null;
        double? reconciledMs = null;
        var statefulSets = cluster.Server.Resource("apps/v1", "statefulsets");
        while ((readyMs is null || reconciledMs is null) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30) && !process.HasExited)
        {
            if (readyMs is null && await AnswersAsync(http, $"http://127.0.0.1:{port}/readyz"))
            {
                readyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            if (reconciledMs is null && cluster.Get(statefulSets, "default", "scores") is not null)
            {
                reconciledMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            await Task.Delay(1);
        }

        if (readyMs is null || reconciledMs is null)
        {
            throw new InvalidOperationException($"the operator did not become ready and reconcile within 30 s: {process.StandardError}");
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        double MiB(string field) => double.Parse(
            status.First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        var sample = (readyMs.Value, reconciledMs.Value, MiB("VmRSS:"), MiB("RssAnon:"));
        await process.TerminateAsync();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return sample;
    }

    private static async Task<bool> AnswersAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

}
