using k8s;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Kubernetes;

/// <summary>How the operator finds the cluster from a laptop: kubeconfig files as kubectl reads them, through the
/// library's configuration, against the API test server.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClusterConnectionTests : ApiServerTest
{
    [Fact]
    public async Task AnExecCredentialPlugin_IsRun_AndItsTokenIsWhatTheServerSees()
    {
        var token = Env.Server.IssueServiceAccountToken("team-a", "laptop-user");
        var runs = Path.Combine(Env.Directory, "plugin-runs");
        var credential = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + token + "\"}}";
        var plugin = Script("fake-cloud-auth", $$"""
            echo run >> '{{runs}}'
            [ "$FAKE_CLOUD_CLUSTER" = prod ] || { echo "wrong cluster" >&2; exit 1; }
            printf '%s' '{{credential}}'
            """);
        var kubeconfig = Write("exec.yaml", $$"""
            apiVersion: v1
            kind: Config
            current-context: prod
            contexts:
            - name: prod
              context: { cluster: prod, user: cloud, namespace: team-a }
            clusters:
            - name: prod
              cluster: { server: "{{Env.Server.Address}}" }
            users:
            - name: cloud
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {{plugin}}
                  args: ["get-token", "--cluster", "prod"]
                  env: [{ name: FAKE_CLOUD_CLUSTER, value: prod }]
                  interactiveMode: Never
            """);

        using var api = new ClusterApi(ClusterConnection.Load(kubeconfig, null, _ => null));
        var refused = await Assert.ThrowsAsync<ClusterApiException>(() => ReadConfigMapAsync(api));

        // The service account has no RBAC grant: being refused as that account proves the plugin's token was sent.
        Assert.Equal(403, refused.Code);
        Assert.Contains("system:serviceaccount:team-a:laptop-user", refused.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("team-a", api.Namespace);
        Assert.True(File.Exists(runs));
    }

    [Fact]
    public void AFailingExecPlugin_IsOneLineNamingThePlugin_NotAStackTrace()
    {
        var plugin = Script("broken-auth", "echo 'token expired, run: cloud login' >&2; exit 1");
        var kubeconfig = Write("broken.yaml", $$"""
            apiVersion: v1
            kind: Config
            current-context: c
            contexts: [{ name: c, context: { cluster: c, user: u } }]
            clusters: [{ name: c, cluster: { server: "{{Env.Server.Address}}" } }]
            users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: "{{plugin}}" } } }]
            """);

        var refused = Assert.Throws<k8s.Exceptions.KubeConfigException>(() => ClusterConnection.Load(kubeconfig, null, _ => null));

        Assert.StartsWith($"the credential plugin {plugin} of user u gave no credential: external exec failed", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeconfigFiles_AreMergedAsKubectlMergesThem_FirstNameWins_MissingFilesSkipped()
    {
        var token = Env.Server.IssueServiceAccountToken("caches", "merged-user");
        var contexts = Write("contexts.yaml", $$"""
            apiVersion: v1
            kind: Config
            current-context: work
            contexts:
            - name: work
              context: { cluster: test, user: merged, namespace: caches }
            users:
            - name: merged
              user: { token: "{{token}}" }
            """);
        var clusters = Write("clusters.yaml", $$"""
            apiVersion: v1
            kind: Config
            current-context: elsewhere
            clusters:
            - name: test
              cluster: { server: "{{Env.Server.Address}}" }
            users:
            - name: merged
              user: { token: shadowed-by-the-first-file }
            """);
        var list = string.Join(Path.PathSeparator, contexts, Path.Combine(Env.Directory, "absent.yaml"), clusters);

        using var api = new ClusterApi(ClusterConnection.Load(null, null, name => name == "KUBECONFIG" ? list : null));
        var refused = await Assert.ThrowsAsync<ClusterApiException>(() => ReadConfigMapAsync(api));

        Assert.Equal(403, refused.Code);
        Assert.Contains("system:serviceaccount:caches:merged-user", refused.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("caches", api.Namespace);
    }

    [Fact]
    public async Task ContextFlag_PicksAnotherContextThanTheCurrentOne()
    {
        var kubeconfig = Write("two.yaml", $$"""
            apiVersion: v1
            kind: Config
            current-context: nowhere
            contexts:
            - name: nowhere
              context: { cluster: unreachable, user: admin }
            - name: test
              context: { cluster: test, user: admin, namespace: picked }
            clusters:
            - name: unreachable
              cluster: { server: "http://127.0.0.1:1" }
            - name: test
              cluster: { server: "{{Env.Server.Address}}" }
            users:
            - name: admin
              user: { token: test-token }
            """);

        using var current = new ClusterApi(ClusterConnection.Load(kubeconfig, null, _ => null));
        using var picked = new ClusterApi(ClusterConnection.Load(kubeconfig, "test", _ => null));

        Assert.Equal(503, (await Assert.ThrowsAsync<ClusterApiException>(() => ReadConfigMapAsync(current))).Code);
        Assert.Null(await ReadConfigMapAsync(picked));
        Assert.Equal("picked", picked.Namespace);
        Assert.Throws<k8s.Exceptions.KubeConfigException>(() => ClusterConnection.Load(kubeconfig, "typo", _ => null));
    }

    private static Task<k8s.Models.V1ConfigMap?> ReadConfigMapAsync(ClusterApi api) =>
        api.ReadAsync((k, t) => k.CoreV1.ReadNamespacedConfigMapAsync("absent", "default", cancellationToken: t), CancellationToken.None);

    private string Write(string name, string text)
    {
        var path = Path.Combine(Env.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Script(string name, string body)
    {
        var path = Write(name, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
