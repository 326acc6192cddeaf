using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>The operator's own Kubernetes client, connected to a test cluster's API server.</summary>
internal static class ClusterClients
{
    public static KubernetesClient CreateClient(this ClusterEnvironment environment) => new(KubernetesConfig.FromKubeconfig(environment.Kubeconfig));
}
