using System.Text.Json.Nodes;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Controller;

/// <summary>The real <c>k8scache-operator</c> process, configured as the Helm chart configures it (environment), with
/// a kubeconfig pointing at the API test server: it serves its health and metrics, reconciles, and stops cleanly on
/// SIGTERM, releasing its Lease.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OperatorProcessTests : IAsyncLifetime
{
    private ClusterEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ClusterEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Process_Reconciles_ServesHealthAndMetrics_AndStopsOnSigterm()
    {
        var port = LoopbackPorts.Free();
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

    [Fact]
    public async Task Process_InACluster_ConnectsWithItsServiceAccountFiles_OverTls()
    {
        var port = await _env.Server.StartTlsAsync();
        var account = Directory.CreateDirectory(Path.Combine(_env.Directory, "serviceaccount")).FullName;
        await File.WriteAllTextAsync(Path.Combine(account, "token"), _env.Server.IssueServiceAccountToken("k8scache-system", "k8scache"));
        await File.WriteAllTextAsync(Path.Combine(account, "ca.crt"), _env.Server.CertificateAuthorityPem);
        await File.WriteAllTextAsync(Path.Combine(account, "namespace"), "k8scache-system");
        GrantEverything("k8scache-system", "k8scache");
        // The kubelet mounts the files at a fixed path; a private mount namespace puts them there for this process only.
        const string mountTheServiceAccount = """
            set -e
            mount -t tmpfs -o size=1m tmpfs /run
            mkdir -p /run/secrets/kubernetes.io/serviceaccount
            mount --bind "$0" /run/secrets/kubernetes.io/serviceaccount
            exec dotnet "$1"
            """;
        using var process = ChildProcess.Start("unshare", AppContext.BaseDirectory,
            ["--mount", "--propagation", "private", "sh", "-c", mountTheServiceAccount, account, Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll")],
            captureOutput: true,
            environment: new Dictionary<string, string>
            {
                ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
                ["KUBERNETES_SERVICE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["KUBECONFIG"] = string.Empty,
                ["HOME"] = account,
                ["Operator__MetricsAddress"] = $"127.0.0.1:{LoopbackPorts.Free()}",
                ["Operator__Identity"] = "operator-in-cluster",
                ["Operator__SidecarImage"] = "k8scache/sidecar:test",
            });

        await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        var statefulSets = _env.Server.Resource("apps/v1", "statefulsets");
        await Poll.UntilAsync(() => _env.Get(statefulSets, "default", "scores") is not null);

        Assert.True(_env.Get(statefulSets, "default", "scores") is not null, process.StandardOutput + process.StandardError);
        var lease = _env.Get(_env.Server.Resource("coordination.k8s.io/v1", "leases"), "k8scache-system", "k8scache-operator");
        Assert.Equal("operator-in-cluster", (string?)lease?["spec"]?["holderIdentity"]);
        Assert.Equal(["system:serviceaccount:k8scache-system:k8scache"], _env.Server.ServiceAccountsSeen);
        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Process_KubeconfigAndContextFlags_PickTheCluster_AndAnUnknownContextIsOneLine()
    {
        var kubeconfig = Path.Combine(_env.Directory, "flags.yaml");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(_env.Kubeconfig)).Replace("current-context: test", "current-context: none", StringComparison.Ordinal));
        var operatorDll = Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll");
        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = Path.Combine(_env.Directory, "absent"),
            ["Operator__MetricsAddress"] = $"127.0.0.1:{LoopbackPorts.Free()}",
            ["Operator__LeaderElection"] = "false",
            ["Operator__SidecarImage"] = "k8scache/sidecar:test",
        };
        using var typo = ChildProcess.Start("dotnet", AppContext.BaseDirectory, [operatorDll, "--kubeconfig", kubeconfig, "--context", "tset"], captureOutput: true, environment: environment);
        Assert.Equal(2, await typo.WaitForExitAsync(TestTimeouts.Default));
        Assert.Single(typo.StandardError.Trim().Split('\n'));
        Assert.Contains("tset", typo.StandardError, StringComparison.Ordinal);

        using var process = ChildProcess.Start("dotnet", AppContext.BaseDirectory, [operatorDll, "--kubeconfig", kubeconfig, "--context", "test"], captureOutput: true, environment: environment);
        await _env.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        await Poll.UntilAsync(() => _env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", "scores") is not null);

        Assert.True(_env.Get(_env.Server.Resource("apps/v1", "statefulsets"), "default", "scores") is not null, process.StandardOutput + process.StandardError);
        await process.TerminateAsync();
        Assert.Equal(0, await process.WaitForExitAsync(TestTimeouts.Default));
    }

    private void GrantEverything(string ns, string account)
    {
        var role = JsonNode.Parse("""
            { "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": { "name": "everything" },
              "rules": [ { "apiGroups": ["*"], "resources": ["*"], "verbs": ["*"] } ] }
            """)!.AsObject();
        var binding = JsonNode.Parse($$"""
            { "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": { "name": "everything" },
              "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "everything" },
              "subjects": [ { "kind": "ServiceAccount", "namespace": "{{ns}}", "name": "{{account}}" } ] }
            """)!.AsObject();
        _env.Server.Store.Create(_env.Server.Resource("rbac.authorization.k8s.io/v1", "clusterroles"), null, role, "test");
        _env.Server.Store.Create(_env.Server.Resource("rbac.authorization.k8s.io/v1", "clusterrolebindings"), null, binding, "test");
    }

}
