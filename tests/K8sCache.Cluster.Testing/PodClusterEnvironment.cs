namespace K8sCache.Cluster.Testing;

/// <summary>
/// The whole system on one machine: the API test server with the CRD (driven by the real kubectl), the real operator
/// binary watching it, the StatefulSet controller and node agent stand-ins running its pods as processes in network
/// namespaces, and dnsmasq as cluster DNS. Images map to copies of local builds (<see cref="LocalImages"/>). Disposing
/// stops every pod and process it started and removes every namespace and folder it made, whatever the test did; what
/// a killed test host could not remove, the next start removes (<see cref="HarnessLeftovers"/>), and its processes
/// die with it (<see cref="HostBoundProcess"/>).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PodClusterEnvironment : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<ChildProcess> _operators = [];
    private readonly Dictionary<(string, string), string> _tokens = [];

    private PodClusterEnvironment(ClusterEnvironment api, LocalImages images, PodNetwork network, ClusterDns dns, NodeAgent agent, StatefulSetController statefulSets)
    {
        Api = api;
        Images = images;
        Network = network;
        Dns = dns;
        Agent = agent;
        StatefulSets = statefulSets;
    }

    public ClusterEnvironment Api { get; }

    public LocalImages Images { get; }

    public PodNetwork Network { get; }

    public ClusterDns Dns { get; }

    public NodeAgent Agent { get; }

    public StatefulSetController StatefulSets { get; }

    public string OperatorLogs => string.Join("\n", _operators.Select(o => o.StandardOutput + o.StandardError));

    /// <summary>The operator replicas, by identity (<c>operator-0</c>…).</summary>
    public IReadOnlyList<ChildProcess> Operators => _operators;

    /// <summary>Starts the cluster with <paramref name="operators"/> operator replicas; more than one elect a leader
    /// through a Lease (4 s, renewed every 500 ms, given up after 3 s), as the chart's replicas do. First, once per
    /// process, what killed earlier runs left behind is removed, and each removal is passed to <paramref name="log"/>.</summary>
    public static async Task<PodClusterEnvironment> StartAsync(int operators = 1, Action<string>? log = null)
    {
        foreach (var line in HarnessLeftovers.SweepOnce())
        {
            log?.Invoke(line);
        }

        Prerequisites.Check();
        var api = await ClusterEnvironment.StartAsync();
        PodNetwork? network = null;
        ClusterDns? dns = null;
        try
        {
            var images = LocalImages.CopyInto(api.Directory);
            network = PodNetwork.Create();
            dns = new ClusterDns(api.Server, network, api.Directory);
            var agent = new NodeAgent(api.Server, network, images.Resolve, Path.Combine(api.Directory, "pods")) { ResolvConf = dns.ResolvConf };
            var environment = new PodClusterEnvironment(api, images, network, dns, agent, new StatefulSetController(api.Server));
            environment._loops.Add(environment.StatefulSets.RunAsync(environment._stop.Token));
            environment._loops.Add(agent.RunAsync(environment._stop.Token));
            environment._loops.Add(dns.RunAsync(environment._stop.Token));
            for (var i = 0; i < operators; i++)
            {
                environment._operators.Add(environment.StartOperator(new Dictionary<string, string>
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
                }, []));
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

    /// <summary>Waits until <paramref name="condition"/> holds. When <paramref name="timeout"/> passes first, fails with
    /// the step's name, what it waited for, what <paramref name="lastSeen"/> saw last, and the cluster's state
    /// (<see cref="ClusterDiagnostics"/>), so the failure can be understood from the test's output alone.</summary>
    public async Task WaitUntilAsync(string step, Func<bool> condition, TimeSpan timeout, Func<string>? lastSeen = null)
    {
        var started = DateTime.UtcNow;
        while (!condition())
        {
            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException(
                    $"whole-system step \"{step}\" did not finish in {timeout.TotalSeconds:F0} s.\n" +
                    $"last seen: {lastSeen?.Invoke() ?? "(the condition was false)"}\n{ClusterDiagnostics.Describe(this)}");
            }

            await Task.Delay(100);
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
        var replica = StartOperator(environment, container["args"]?.AsArray().Select(a => (string)a!) ?? []);
        _operators.Add(replica);
        return replica;
    }

    private ChildProcess StartOperator(Dictionary<string, string> environment, IEnumerable<string> args) =>
        HostBoundProcess.Start(() => ChildProcess.Start(HostBoundProcess.Prefix[0], Api.Directory,
            [.. HostBoundProcess.Prefix[1..], "dotnet", Images.OperatorAssembly, .. args], captureOutput: true, environment: environment));

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

    /// <summary>Runs a load loop inside a pod: GETs of <paramref name="url"/> with curl, one status code per line of
    /// the returned process's output, until <paramref name="stopFile"/> exists — and never more than 20,000 requests
    /// or <paramref name="maxSeconds"/>, so it stops by itself.</summary>
    public ChildProcess StartLoadInPod(string ns, string pod, string url, string stopFile, int maxSeconds = 120)
    {
        var running = Agent.Find(ns, pod) ?? throw new InvalidOperationException($"no pod {ns}/{pod}");
        var script = $"end=$(($(date +%s)+{maxSeconds})); n=0; " +
            $"while [ ! -e '{stopFile}' ] && [ $(date +%s) -lt $end ] && [ $n -lt 20000 ]; do " +
            $"curl -s -o /dev/null -m 5 -w '%{{http_code}}\\n' \"{url}\"; n=$((n+1)); done";
        return HostBoundProcess.Start(() => ChildProcess.Start("ip", Api.Directory,
            ["netns", "exec", running.NetworkNamespace, .. HostBoundProcess.Prefix, "sh", "-c", script], captureOutput: true));
    }
}
