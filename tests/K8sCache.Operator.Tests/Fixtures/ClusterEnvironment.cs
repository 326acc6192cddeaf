using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;
using K8sCache.Kubernetes.Testing;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>The API test server with the CacheGroup CRD installed, a kubeconfig for it, and helpers to run kubectl
/// and the operator's client against it.</summary>
public sealed class ClusterEnvironment : IAsyncDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("k8scache-operator-").FullName;

    private ClusterEnvironment(KubernetesApiTestServer server) => Server = server;

    public KubernetesApiTestServer Server { get; }

    public string Kubeconfig { get; private set; } = string.Empty;

    public string Directory => _directory;

    public static async Task<ClusterEnvironment> StartAsync()
    {
        var environment = new ClusterEnvironment(await KubernetesApiTestServer.StartAsync());
        environment.Kubeconfig = environment.Server.WriteKubeconfig(environment._directory);
        using var client = environment.CreateClient();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));
        var crd = YamlToJson.ReadDocuments(reader).Single()!.AsObject();
        await client.CreateAsync(new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", Namespaced: false), null, crd, CancellationToken.None);
        return environment;
    }

    internal KubernetesClient CreateClient() => new(KubernetesConfig.FromKubeconfig(Kubeconfig));

    public ApiResource CacheGroups => Server.Resource("k8scache.io/v1alpha1", "cachegroups");

    /// <summary>Runs kubectl against the server; returns exit code, stdout and stderr.</summary>
    public async Task<(int ExitCode, string Output, string Error)> KubectlAsync(params string[] args)
    {
        using var kubectl = ChildProcess.Start(ToolPaths.Find("kubectl"), _directory, ["--kubeconfig", Kubeconfig, .. args], captureOutput: true);
        var exit = await kubectl.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, kubectl.StandardOutput, kubectl.StandardError);
    }

    public JsonObject? Get(ApiResource resource, string ns, string name) => Server.Store.Get(resource, ns, name);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
