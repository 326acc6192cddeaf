using k8s;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>The operator's own API connection, to a test cluster's API server.</summary>
internal static class ClusterClients
{
    public static ClusterApi CreateClient(this ClusterEnvironment environment) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(environment.Kubeconfig));
}
