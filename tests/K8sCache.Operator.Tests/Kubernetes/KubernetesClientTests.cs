using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Kubernetes;

public sealed class KubernetesClientTests : ApiServerTest
{
    [Fact]
    public async Task Errors_CarryTheStatusReasonAndCode()
    {
        var cm = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "a" } };
        await Client.CreateAsync(ResourceType.ConfigMaps, "ns", cm, CancellationToken.None);

        var exists = await Assert.ThrowsAsync<KubernetesException>(() => Client.CreateAsync(ResourceType.ConfigMaps, "ns", cm, CancellationToken.None));
        var stale = (JsonObject)(await Client.GetAsync(ResourceType.ConfigMaps, "ns", "a", CancellationToken.None))!.DeepClone();
        await Client.ReplaceAsync(ResourceType.ConfigMaps, "ns", "a", stale, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<KubernetesException>(() => Client.ReplaceAsync(ResourceType.ConfigMaps, "ns", "a", stale, CancellationToken.None));

        Assert.Equal((409, "AlreadyExists"), (exists.Code, exists.Reason));
        Assert.Equal((409, "Conflict"), (conflict.Code, conflict.Reason));
        Assert.Contains("the object has been modified", conflict.StatusMessage, StringComparison.Ordinal);
        Assert.Null(await Client.GetAsync(ResourceType.ConfigMaps, "ns", "missing", CancellationToken.None));
        Assert.False(await Client.DeleteAsync(ResourceType.ConfigMaps, "ns", "missing", CancellationToken.None));
    }

    [Fact]
    public async Task ServerSideApply_RemovesWhatTheManagerNoLongerApplies_AndReportsConflicts()
    {
        var first = Cm(("a", "1"), ("b", "2"));
        await Client.ApplyAsync(ResourceType.ConfigMaps, first, "operator", force: false, CancellationToken.None);
        var live = (await Client.GetAsync(ResourceType.ConfigMaps, "ns", "cm", CancellationToken.None))!;
        live["data"]!["c"] = "mine";
        live["data"]!["a"] = "changed";
        await Client.ReplaceAsync(ResourceType.ConfigMaps, "ns", "cm", live, CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<KubernetesException>(() =>
            Client.ApplyAsync(ResourceType.ConfigMaps, Cm(("a", "1")), "operator", force: false, CancellationToken.None));
        var forced = await Client.ApplyAsync(ResourceType.ConfigMaps, Cm(("a", "1")), "operator", force: true, CancellationToken.None);

        Assert.Equal(409, conflict.Code);
        Assert.Contains(".data.a", conflict.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("""{"a":"1","c":"mine"}""", forced["data"]!.ToJsonString());
    }

    [Fact]
    public void Kubeconfig_CurrentContext_WithTokenAndCaData()
    {
        var ca = SelfSignedPem();
        var path = Path.Combine(Env.Directory, "kc.yaml");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            current-context: prod
            contexts:
            - name: dev
              context: { cluster: dev, user: dev }
            - name: prod
              context: { cluster: prod, user: admin, namespace: caches }
            clusters:
            - name: dev
              cluster: { server: "https://dev.example:6443" }
            - name: prod
              cluster:
                server: https://10.1.2.3:6443
                certificate-authority-data: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ca))}}
            users:
            - name: dev
              user: { token: dev-token }
            - name: admin
              user: { token: prod-token }
            """);

        var config = KubernetesConfig.FromKubeconfig(path);

        Assert.Equal(("https://10.1.2.3:6443/", "prod-token", "caches"), (config.Server.ToString(), config.CurrentToken(), config.Namespace));
        Assert.Single(config.CertificateAuthority!);
        Assert.Equal("dev-token", KubernetesConfig.FromKubeconfig(path, "dev").CurrentToken());
    }

    [Fact]
    public void InCluster_ReadsTheServiceAccountFilesAndEnvironment()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Env.Directory, "sa")).FullName;
        File.WriteAllText(Path.Combine(directory, "ca.crt"), SelfSignedPem());
        File.WriteAllText(Path.Combine(directory, "token"), "sa-token\n");
        File.WriteAllText(Path.Combine(directory, "namespace"), "k8scache-system");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", "443");
        try
        {
            var config = KubernetesConfig.InCluster(directory);

            Assert.Equal(("https://10.96.0.1/", "sa-token", "k8scache-system"), (config.Server.ToString(), config.CurrentToken(), config.Namespace));
            File.WriteAllText(Path.Combine(directory, "token"), "rotated-token");
            Assert.Equal("rotated-token", config.CurrentToken());
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", null);
            Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", null);
        }
    }

    private static JsonObject Cm(params (string Key, string Value)[] data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "cm", ["namespace"] = "ns" },
        ["data"] = new JsonObject(data.Select(d => new KeyValuePair<string, JsonNode?>(d.Key, d.Value))),
    };

    private static string SelfSignedPem()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem();
    }
}
