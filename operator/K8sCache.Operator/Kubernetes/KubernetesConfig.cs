using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate: in-cluster (the pod's service account) or a kubeconfig file
/// (its current context: server, CA, token or client certificate).
/// </summary>
internal sealed class KubernetesConfig
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public required Uri Server { get; init; }

    /// <summary>A bearer token; re-read from <see cref="TokenFile"/> when set (projected tokens rotate).</summary>
    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public X509Certificate2Collection? CertificateAuthority { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    public bool SkipTlsVerify { get; init; }

    /// <summary>The namespace of the context or of the pod; where the operator's Lease lives.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>KUBECONFIG (first file), else ~/.kube/config if it exists, else in-cluster.</summary>
    public static KubernetesConfig Discover()
    {
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        if (kubeconfig is not null)
        {
            return FromKubeconfig(kubeconfig);
        }

        return Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is null && File.Exists(home)
            ? FromKubeconfig(home)
            : InCluster();
    }

    public static KubernetesConfig InCluster(string directory = ServiceAccountDirectory)
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new InvalidOperationException("Not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set, and no kubeconfig was found.");
        }

        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(Path.Combine(directory, "ca.crt"));
        var namespaceFile = Path.Combine(directory, "namespace");
        return new KubernetesConfig
        {
            Server = new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}"),
            TokenFile = Path.Combine(directory, "token"),
            CertificateAuthority = ca,
            Namespace = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "default",
        };
    }

    public static KubernetesConfig FromKubeconfig(string path, string? contextName = null)
    {
        JsonNode? root;
        using (var reader = new StreamReader(path))
        {
            root = YamlToJson.ReadDocuments(reader).FirstOrDefault();
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        contextName ??= (string?)root?["current-context"] ?? throw new InvalidDataException($"{path}: no current-context.");
        var context = Named(root, "contexts", contextName, "context");
        var cluster = Named(root, "clusters", (string)context["cluster"]!, "cluster");
        var user = Named(root, "users", (string)context["user"]!, "user");

        var ca = Pem(cluster, "certificate-authority-data", "certificate-authority", directory);
        X509Certificate2Collection? authority = null;
        if (ca is not null)
        {
            authority = [];
            authority.ImportFromPem(ca);
        }

        var cert = Pem(user, "client-certificate-data", "client-certificate", directory);
        var key = Pem(user, "client-key-data", "client-key", directory);
        return new KubernetesConfig
        {
            Server = new Uri((string?)cluster["server"] ?? throw new InvalidDataException($"{path}: cluster without server.")),
            Token = (string?)user["token"],
            TokenFile = (string?)user["tokenFile"] is { } tokenFile ? Path.Combine(directory, tokenFile) : null,
            CertificateAuthority = authority,
            ClientCertificate = cert is not null && key is not null ? X509Certificate2.CreateFromPem(cert, key) : null,
            SkipTlsVerify = (bool?)cluster["insecure-skip-tls-verify"] ?? false,
            Namespace = (string?)context["namespace"] ?? "default",
        };
    }

    /// <summary>The current bearer token, if any.</summary>
    public string? CurrentToken() => TokenFile is not null && File.Exists(TokenFile) ? File.ReadAllText(TokenFile).Trim() : Token;

    private static JsonObject Named(JsonNode? root, string list, string name, string field) =>
        root?[list]?.AsArray().FirstOrDefault(e => (string?)e?["name"] == name)?[field]?.AsObject()
        ?? throw new InvalidDataException($"kubeconfig: no {list} entry named '{name}'.");

    private static string? Pem(JsonObject section, string dataKey, string fileKey, string directory) =>
        (string?)section[dataKey] is { } data
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data))
            : (string?)section[fileKey] is { } file ? File.ReadAllText(Path.Combine(directory, file)) : null;
}
