using System.Text.Json;
using System.Text.RegularExpressions;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Telemetry;

/// <summary>
/// A real Prometheus server (Debian's, on loopback) scrapes a local three-node cluster with the labels the chart's
/// PodMonitors set, and loads the chart's alert rules. After real traffic, every expression of every dashboard panel
/// must evaluate and return data, every alert rule must evaluate without error, and every alert whose inputs a cache
/// cluster produces must return data once its threshold is made a <c>bool</c> comparison (the alert itself does not
/// fire on a healthy cluster).
/// </summary>
public sealed partial class PrometheusClusterTests : IAsyncLifetime
{
    /// <summary>Alerts whose inputs this cluster cannot produce: evaluated for errors only.</summary>
    private static readonly Dictionary<string, string> WithoutData = new(StringComparer.Ordinal)
    {
        ["K8sCacheHitRatioCollapsed"] = "compares with an hour ago, before the cluster existed",
        ["K8sCacheOperatorDown"] = "the operator's metrics (no operator runs here)",
        ["K8sCacheOperatorNotReconciling"] = "the operator's metrics (no operator runs here)",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("k8scache-prometheus-").FullName;
    private SidecarCluster _cluster = null!;
    private ChildProcess? _prometheus;
    private Uri _api = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SidecarCluster.StartAsync(3);
        var port = LoopbackPorts.Free();
        _api = new Uri($"http://127.0.0.1:{port}/api/v1/");
        var config = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {{Path.Combine(RepositoryPaths.Root, "charts", "k8scache", "files", "alerts.yaml")}}
            scrape_configs:
              - job_name: k8scache-cache
                static_configs:
                  - targets: [{{string.Join(", ", _cluster.Nodes.Select(n => n.AdminUri.Authority))}}]
                    labels: {namespace: local, cachegroup: local, k8scache_component: cache}
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '(.*):\d+'
                    target_label: pod
            """);
        _prometheus = ChildProcess.Start(ToolPaths.Find("prometheus"), _directory,
            ["--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(_directory, "data"), $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            captureOutput: true);
    }

    public async Task DisposeAsync()
    {
        _prometheus?.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task EveryPanelAndAlertExpression_Evaluates_AndReturnsData()
    {
        // Counters must be scraped before the traffic and after it: an increase needs two samples that differ.
        await WaitForAsync("count(up{k8scache_component=\"cache\"} == 1) == 3", "every node scraped", minimumSeries: 1);
        await TrafficAsync();
        await WaitForAsync("sum(increase(k8scache_gets_total[1m])) > 0", "a scrape of the traffic", minimumSeries: 1);
        await TrafficAsync();
        await WaitForAsync("min(count_over_time(k8scache_peer_duration_seconds_count[1m])) > 2", "the peer-call histograms over several scrapes", minimumSeries: 1);

        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "charts", "k8scache", "files", "dashboard.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToList();
        Assert.NotEmpty(panels);
        foreach (var (panel, expr) in panels)
        {
            var series = await QueryAsync(expr.Replace("$namespace", ".*", StringComparison.Ordinal).Replace("$cachegroup", ".*", StringComparison.Ordinal));
            Assert.True(series > 0, $"panel '{panel}': {expr} returned nothing");
        }

        var rules = await GetJsonAsync("rules");
        var alerts = rules.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(9, alerts.Count);
        foreach (var alert in alerts)
        {
            var name = alert.GetProperty("name").GetString()!;
            Assert.True(alert.GetProperty("health").GetString() == "ok", $"{name}: {alert}");
            var series = await QueryAsync(Comparison().Replace(alert.GetProperty("query").GetString()!, " $1 bool "));
            Assert.True(series > 0 || WithoutData.ContainsKey(name), $"alert {name} has no data to judge: {alert.GetProperty("query").GetString()}");
        }
    }

    [GeneratedRegex(@"\s(>|<|==)\s(?!bool)")]
    private static partial Regex Comparison();


    /// <summary>Hits, peer fetches, loads and misses on every node.</summary>
    private async Task TrafficAsync()
    {
        foreach (var node in _cluster.Nodes)
        {
            foreach (var key in Enumerable.Range(0, 12).Select(i => $"watched-{i}"))
            {
                await _cluster.GetAsync(node, "scores", key);
                await _cluster.GetAsync(node, "scores", key);
            }

            await _cluster.GetAsync(node, "scores", "missing-" + node.Ip);
        }

        Assert.Contains(_cluster.Nodes, n => Enumerable.Range(0, 12).Any(i => _cluster.Owner($"watched-{i}") != n.PeerAddress));
    }

    /// <summary>Number of series the instant query returns; fails on an error.</summary>
    private async Task<int> QueryAsync(string expr)
    {
        var json = await GetJsonAsync("query?query=" + Uri.EscapeDataString(expr));
        Assert.True(json.GetProperty("status").GetString() == "success", $"{expr}: {json}");
        return json.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _cluster.Http.GetAsync(new Uri(_api, path));
        if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            // Prometheus answers in plain text until its storage is ready.
            throw new HttpRequestException($"Prometheus is starting: {await response.Content.ReadAsStringAsync()}");
        }

        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Polls until Prometheus answers the query with data (bounded; what follows is asserted).</summary>
    private async Task WaitForAsync(string expr, string what, int minimumSeries)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (true)
        {
            try
            {
                if (await QueryAsync(expr) >= minimumSeries)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Prometheus never had {what}: {expr}\n{_prometheus?.StandardOutput}{_prometheus?.StandardError}");
            }

            await Task.Delay(250);
        }
    }
}
