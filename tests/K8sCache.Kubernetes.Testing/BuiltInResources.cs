namespace K8sCache.Kubernetes.Testing;

/// <summary>The built-in kinds the operator and kubectl use here. Everything else is 404, as an API server answers
/// for a resource it does not serve.</summary>
public static class BuiltInResources
{
    public static IReadOnlyList<ApiResource> All { get; } =
    [
        new(string.Empty, "v1", "services", "service", "Service", true) { ShortNames = ["svc"], HasStatusSubresource = true },
        new(string.Empty, "v1", "configmaps", "configmap", "ConfigMap", true) { ShortNames = ["cm"] },
        new(string.Empty, "v1", "secrets", "secret", "Secret", true),
        new(string.Empty, "v1", "events", "event", "Event", true) { ShortNames = ["ev"] },
        new(string.Empty, "v1", "namespaces", "namespace", "Namespace", false) { ShortNames = ["ns"] },
        new(string.Empty, "v1", "pods", "pod", "Pod", true) { ShortNames = ["po"], HasStatusSubresource = true },
        new(string.Empty, "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true) { ShortNames = ["sa"] },
        new("apps", "v1", "deployments", "deployment", "Deployment", true) { ShortNames = ["deploy"], HasStatusSubresource = true },
        new("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false),
        new("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true) { ShortNames = ["sts"], HasStatusSubresource = true },
        new("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true) { ShortNames = ["pdb"], HasStatusSubresource = true },
        new("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true) { ShortNames = ["netpol"] },
        new("coordination.k8s.io", "v1", "leases", "lease", "Lease", true),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false)
        {
            ShortNames = ["crd", "crds"], HasStatusSubresource = true,
        },
    ];
}
