namespace K8sCache.Cluster.Testing;

/// <summary>
/// The whole system on one machine: the API test server with the CRD (driven by the real kubectl), the real operator
/// binary watching it, the StatefulSet controller and node agent stand-ins running its pods as processes in network
/// namespaces, and dnsmasq as cluster DNS. Images map to local builds: any <c>…k8scache/sidecar…</c> image is the
/// sidecar this test project was built with, run as the Dockerfile's user 1654. Disposing stops every pod and process
/// it started and removes every namespace it made, whatever the test did.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PodClusterEnvironment : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<ChildProcess> _operators = [];
    private readonly Dictionary<(string, string), string> _tokens = [];

    private PodClusterEnvironment(ClusterEnvironment api, PodNetwork network, ClusterDns dns, NodeAgent agent, StatefulSetController statefulSets)
    {
        Api = api;
        Network = network;
        Dns = dns;
        Agent = agent;
        StatefulSets = statefulSets;
    }

    public ClusterEnvironment Api { get; }

    public PodNetwork Network { get; }

    public ClusterDns Dns { get; }

    public NodeAgent Agent { get; }

    public StatefulSetController StatefulSets { get; }

    public string OperatorLogs => string.Join("\n", _operators.Select(o => o.StandardOutput + o.StandardError));

    /// <summary>The operator replicas, by identity (<c>operator-0</c>…).</summary>
    public IReadOnlyList<ChildProcess> Operators => _operators;

    /// <summary>Starts the cluster with <paramref name="operators"/> operator replicas; more than one elect a leader
    /// through a Lease (4 s, renewed every 500 ms, given up after 3 s), as the chart's replicas do.</summary>
    public static async Task<PodClusterEnvironment> StartAsync(int operators = 1)
    {
        var api = await ClusterEnvironment.StartAsync();
        PodNetwork? network = null;
        ClusterDns? dns = null;
        try
        {
            network = PodNetwork.Create();
            dns = new ClusterDns(api.Server, network, api.Directory);
            var agent = new NodeAgent(api.Server, network, Image, Path.Combine(api.Directory, "pods")) { ResolvConf = dns.ResolvConf };
            var environment = new PodClusterEnvironment(api, network, dns, agent, new StatefulSetController(api.Server));
            environment._loops.Add(environment.StatefulSets.RunAsync(environment._stop.Token));
            environment._loops.Add(agent.RunAsync(environment._stop.Token));
            environment._loops.Add(dns.RunAsync(environment._stop.Token));
            for (var i = 0; i < operators; i++)
            {
                environment._operators.Add(ChildProcess.Start("dotnet", AppContext.BaseDirectory,
                    [Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll")], captureOutput: true,
                    environment: new Dictionary<string, string>
                    {
                        ["KUBECONFIG"] = api.Kubeconfig,
                        ["Operator__MetricsAddress"] = "127.0.0.1:0",
                        ["Operator__LeaderElection"] = operators > 1 ? "true" : "false",
                        ["Operator__Identity"] = $"operator-{i}",
                        ["Operator__LeaseNamespace"] = "default",
                        ["Operator__LeaseDuration"] = "4s",
                        ["Operator__RenewDeadline"] = "3s",
                        ["Operator__RetryPeriod"] = "500ms",
                        ["Operator__SidecarImage"] = "k8scache/sidecar:test",
                    }));
            }
            return environment;
        }
        catch
        {
            dns?.Dispose();
            network?.Dispose();
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the operator binary as a pod template says (its container's environment and arguments, fieldRefs
    /// resolved), authenticated as service account <paramref name="ns"/>/<paramref name="account"/> so the API test
    /// server authorizes every request by RBAC. One change: the metrics address is a loopback port, as every server in
    /// these tests listens on loopback.</summary>
    public ChildProcess StartOperatorAs(System.Text.Json.Nodes.JsonNode podSpec, string ns, string account)
    {
        var container = podSpec["containers"]![0]!;
        var environment = new Dictionary<string, string> { ["KUBECONFIG"] = KubeconfigFor(ns, account) };
        foreach (var item in container["env"]?.AsArray() ?? [])
        {
            var name = (string)item!["name"]!;
            environment[name] = (string?)item["value"]
                ?? ((string?)item["valueFrom"]?["fieldRef"]?["fieldPath"] == "metadata.name" ? "k8scache-operator-0" : throw new NotSupportedException($"env {name}"));
        }

        environment["Operator__MetricsAddress"] = "127.0.0.1:0";
        var args = container["args"]?.AsArray().Select(a => (string)a!) ?? [];
        return ChildProcess.Start("dotnet", AppContext.BaseDirectory, [Path.Combine(AppContext.BaseDirectory, "k8scache-operator.dll"), .. args],
            captureOutput: true, environment: environment);
    }

    /// <summary>A GET of <paramref name="path"/> on the API server as service account <paramref name="ns"/>/<paramref name="account"/>.</summary>
    public async Task<(int Status, string Body)> GetAsAsync(string ns, string account, string path)
    {
        KubeconfigFor(ns, account);
        using var http = new HttpClient { BaseAddress = new Uri(Api.Server.Address), Timeout = TestTimeouts.Default };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _tokens[(ns, account)]);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private string KubeconfigFor(string ns, string account)
    {
        var path = Path.Combine(Api.Directory, $"kubeconfig-{ns}-{account}");
        if (!File.Exists(path))
        {
            _tokens[(ns, account)] = Api.Server.IssueServiceAccountToken(ns, account);
            File.WriteAllText(path, File.ReadAllText(Api.Kubeconfig).Replace("token: test-token", "token: " + _tokens[(ns, account)], StringComparison.Ordinal));
        }

        return path;
    }

    /// <summary>The pod's answer to an HTTP GET of <paramref name="url"/> from inside it (localhost is the pod's own).</summary>
    public (string Status, string Body) HttpGetInPod(string ns, string pod, string url) =>
        Agent.Find(ns, pod) is { } running ? Network.HttpGet(running.NetworkNamespace, url) : ("000", "no such pod");

    /// <summary>Stops everything in order; each step runs even when one before it failed, so no process or namespace
    /// outlives the test.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var replica in _operators)
            {
                replica.Dispose();
            }

            await _stop.CancelAsync();
            await Task.WhenAll(_loops).ContinueWith(_ => { }, TaskScheduler.Default);
            await Agent.DisposeAsync();
        }
        finally
        {
            Dns.Dispose();
            Network.Dispose();
            await Api.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Image names to local builds, run as their Dockerfile's <c>USER</c> (1654 for both).</summary>
    private static ContainerImage Image(string image)
    {
        if (image.Contains("k8scache/sidecar", StringComparison.Ordinal))
        {
            return new ContainerImage("/usr/bin/dotnet", [Path.Combine(AppContext.BaseDirectory, "k8scache-sidecar.dll")], 1654, 1654);
        }

        if (image.Contains("k8scache/demo-app", StringComparison.Ordinal))
        {
            return new ContainerImage("/usr/bin/dotnet", [Path.Combine(RepositoryPaths.Root, "examples", "DemoApp", "bin", "Release", "net10.0", "k8scache-demo-app.dll")], 1654, 1654);
        }

        throw new NotSupportedException($"no local build for image {image}");
    }

    /// <summary>Runs a load loop inside a pod: GETs of <paramref name="url"/> with curl, one status code per line of
    /// the returned process's output, until <paramref name="stopFile"/> exists — and never more than 20,000 requests
    /// or <paramref name="maxSeconds"/>, so it stops by itself.</summary>
    public ChildProcess StartLoadInPod(string ns, string pod, string url, string stopFile, int maxSeconds = 120)
    {
        var running = Agent.Find(ns, pod) ?? throw new InvalidOperationException($"no pod {ns}/{pod}");
        var script = $"end=$(($(date +%s)+{maxSeconds})); n=0; " +
            $"while [ ! -e '{stopFile}' ] && [ $(date +%s) -lt $end ] && [ $n -lt 20000 ]; do " +
            $"curl -s -o /dev/null -m 5 -w '%{{http_code}}\\n' \"{url}\"; n=$((n+1)); done";
        return ChildProcess.Start("ip", Api.Directory, ["netns", "exec", running.NetworkNamespace, "sh", "-c", script], captureOutput: true);
    }
}
