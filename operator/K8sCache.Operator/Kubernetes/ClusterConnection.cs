using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace K8sCache.Operator.Kubernetes;

/// <summary>
/// Finds the cluster and the credentials as kubectl does, through the library's configuration (exec credential
/// plugins, client certificates, tokens, token files, in-cluster projected tokens that rotate):
/// <c>--kubeconfig FILE</c>, else every file of <c>KUBECONFIG</c> merged (the first occurrence of a name wins, missing
/// files are skipped), else <c>~/.kube/config</c>, else the pod's service account. <c>--context NAME</c> picks a
/// context other than the current one.
/// </summary>
internal static class ClusterConnection
{
    public const string UserAgent = "k8scache-operator/0.1";

    public static KubernetesClientConfiguration Load(string? kubeconfig, string? context, Func<string, string?> environment)
    {
        var files = kubeconfig is not null ? [kubeconfig]
            : environment("KUBECONFIG") is { Length: > 0 } list ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).ToArray()
            : File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation) ? [KubernetesClientConfiguration.KubeConfigDefaultLocation]
            : [];
        if (files.Length == 0)
        {
            if (context is not null)
            {
                throw new KubeConfigException($"--context {context}: no kubeconfig file was found (KUBECONFIG, ~/.kube/config)");
            }

            var inCluster = KubernetesClientConfiguration.InClusterConfig();
            inCluster.UserAgent = UserAgent;
            return inCluster;
        }

        var merged = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(files[0]));
        foreach (var file in files.Skip(1))
        {
            Merge(merged, WithAbsolutePaths(KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file)), file));
        }

        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
            config.UserAgent = UserAgent;
            return config;
        }
        catch (KubeConfigException e) when (e.Message.StartsWith("external exec failed", StringComparison.Ordinal))
        {
            // The plugin's own error output went to ours, as kubectl lets it; the library's message ends in a stack trace.
            var user = merged.Contexts?.FirstOrDefault(c => c.Name == (context ?? merged.CurrentContext))?.ContextDetails?.User;
            var command = merged.Users?.FirstOrDefault(u => u.Name == user)?.UserCredentials?.ExternalExecution?.Command;
            throw new KubeConfigException($"the credential plugin {command} of user {user} gave no credential: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    /// <summary>kubectl's merge of several files: the first file that sets the current context, or names a cluster, user
    /// or context, wins. The library merges the same way but only inside <c>BuildDefaultConfig</c>, which takes no
    /// context and fails on a missing file.</summary>
    private static void Merge(K8SConfiguration into, K8SConfiguration from)
    {
        if (string.IsNullOrEmpty(into.CurrentContext))
        {
            into.CurrentContext = from.CurrentContext;
        }

        into.Clusters = Union(into.Clusters, from.Clusters, c => c.Name);
        into.Users = Union(into.Users, from.Users, u => u.Name);
        into.Contexts = Union(into.Contexts, from.Contexts, c => c.Name);
    }

    /// <summary>Certificate and key paths of a merged file are relative to that file, not to the first one (whose
    /// directory the library resolves every relative path against).</summary>
    private static K8SConfiguration WithAbsolutePaths(K8SConfiguration config, string file)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string? Absolute(string? path) => string.IsNullOrEmpty(path) ? path : Path.Combine(directory, path);
        foreach (var cluster in config.Clusters ?? [])
        {
            cluster.ClusterEndpoint?.CertificateAuthority = Absolute(cluster.ClusterEndpoint.CertificateAuthority);
        }

        foreach (var credentials in (config.Users ?? []).Select(u => u.UserCredentials).OfType<UserCredentials>())
        {
            credentials.ClientCertificate = Absolute(credentials.ClientCertificate);
            credentials.ClientKey = Absolute(credentials.ClientKey);
        }

        return config;
    }

    private static List<T> Union<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name) =>
        (first ?? []).Concat(second ?? []).DistinctBy(name).ToList();
}
