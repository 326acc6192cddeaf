using System.Net;
using System.Net.Sockets;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Controller;

/// <summary>The real <c>k8scache-operator</c> process, configured as the Helm chart configures it (environment), with
/// a kubeconfig pointing at the API test server: it serves its health and metrics, reconciles, and stops cleanly on
/// SIGTERM, releasing its Lease.</summary>
public sealed class OperatorProcessTests : IAsyncLifetime
{
    private ClusterEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Process_Reconciles_ServesHealthAndMetrics_AndStopsOnSigterm()
    {
        var port = FreePort();
        using var process = ChildProcess.Start("dotnet", AppContext.BaseDirectory,
            [Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll")], captureOutput: true,
            environment: new Dictionary<string, string>
            {
                ["KUBECONFIG"] = _env.Kubeconfig,
                ["Operator__MetricsAddress"] = $"127.0.0.1:{port}",
                ["Operator__Identity"] = "operator-0",
                ["Operator__SidecarImage"] = "k8scache/sidecar:test",
                ["Operator__RetryPeriod"] = "500ms",
            });
        using var http = new HttpClient { Timeout = TestTimeouts.Default };

        await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        await Poll.UntilAsync(() => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", "scores") is not null);

        Assert.NotNull(_env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", "scores"));
        Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"));
        Assert.Equal("ready: leading\n", await http.GetStringAsync($"http://127.0.0.1:{port}/readyz"));
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Matches(@"k8scache_operator_reconciles_total\{result=""success""\} [1-9]", metrics);
        Assert.Contains("k8scache_operator_leader 1", metrics, StringComparison.Ordinal);
        Assert.Contains("k8scache_operator_reconcile_seconds_total ", metrics, StringComparison.Ordinal);
        Assert.Contains("k8scache_operator_queue_depth ", metrics, StringComparison.Ordinal);

        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(TestTimeouts.Default));
        var lease = _env.Get(_env.Server.Resource("coordination.k8s.io/v1", "leases"), "default", "k8scache-operator")!;
        Assert.Null((string?)lease["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task Process_WithBadConfiguration_ExitsWithTheReason()
    {
        using var process = ChildProcess.Start("dotnet", AppContext.BaseDirectory,
            [Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll")], captureOutput: true,
            environment: new Dictionary<string, string> { ["KUBECONFIG"] = _env.Kubeconfig, ["Operator__Workers"] = "lots" });

        Assert.Equal(2, await process.WaitForExitAsync(TestTimeouts.Default));
        Assert.Contains("Operator:Workers", process.StandardError, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
