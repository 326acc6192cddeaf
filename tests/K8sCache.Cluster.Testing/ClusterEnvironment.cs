using System.Text.Json.Nodes;
using K8sCache.Kubernetes.Testing;
using K8sCache.Operator.Yaml;

namespace K8sCache.Cluster.Testing;

/// <summary>The API test server with the CacheGroup CRD installed, a kubeconfig for it, and helpers to run kubectl
/// and helm against it.</summary>
public sealed class ClusterEnvironment : IAsyncDisposable
{
    private readonly string _directory = HarnessLeftovers.NewTemporaryDirectory();

    private ClusterEnvironment(KubernetesApiTestServer server) => Server = server;

    public KubernetesApiTestServer Server { get; }

    public string Kubeconfig { get; private set; } = string.Empty;

    public string Directory => _directory;

    public static async Task<ClusterEnvironment> StartAsync()
    {
        var environment = new ClusterEnvironment(await KubernetesApiTestServer.StartAsync());
        environment.Kubeconfig = environment.Server.WriteKubeconfig(environment._directory);
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));
        var crd = YamlToJson.ReadDocuments(reader).Single()!.AsObject();
        using var http = new HttpClient { BaseAddress = new Uri(environment.Server.Address) };
        using var created = await http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            new StringContent(crd.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
        return environment;
    }

    public ApiResource CacheGroups => Server.Resource("k8scache.io/v1alpha1", "cachegroups");

    /// <summary>Runs kubectl against the server; returns exit code, stdout and stderr.</summary>
    public Task<(int ExitCode, string Output, string Error)> KubectlAsync(params string[] args) => RunAsync("kubectl", args, new Dictionary<string, string>());

    /// <summary>Runs helm against the server, with its cache, config and data homes in this environment's directory
    /// so nothing of the machine's own helm set-up is read or written.</summary>
    public Task<(int ExitCode, string Output, string Error)> HelmAsync(params string[] args) => RunAsync("helm", args, new Dictionary<string, string>
    {
        ["HELM_CACHE_HOME"] = Path.Combine(_directory, "helm", "cache"),
        ["HELM_CONFIG_HOME"] = Path.Combine(_directory, "helm", "config"),
        ["HELM_DATA_HOME"] = Path.Combine(_directory, "helm", "data"),
    });

    public JsonObject? Get(ApiResource resource, string ns, string name) => Server.Store.Get(resource, ns, name);

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, string[] args, Dictionary<string, string> environment)
    {
        using var process = ChildProcess.Start(ToolPaths.Find(tool), _directory, ["--kubeconfig", Kubeconfig, .. args], captureOutput: true, environment: environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, process.StandardOutput, process.StandardError);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
