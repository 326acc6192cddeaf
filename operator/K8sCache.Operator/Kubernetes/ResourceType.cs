namespace K8sCache.Operator.Kubernetes;

/// <summary>A kind the client works with: where it lives in the API (group, version, plural) and its scope.</summary>
internal sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public static readonly ResourceType CacheGroups = new("k8scache.io", "v1alpha1", "cachegroups", "CacheGroup");
    public static readonly ResourceType Services = new(string.Empty, "v1", "services", "Service");
    public static readonly ResourceType ConfigMaps = new(string.Empty, "v1", "configmaps", "ConfigMap");
    public static readonly ResourceType Secrets = new(string.Empty, "v1", "secrets", "Secret");
    public static readonly ResourceType Events = new(string.Empty, "v1", "events", "Event");
    public static readonly ResourceType StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet");
    public static readonly ResourceType PodDisruptionBudgets = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget");
    public static readonly ResourceType NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy");
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease");

    /// <summary>The kinds a CacheGroup owns, applied in this order.</summary>
    /// <summary>Kinds a CacheGroup owns and the operator watches: a change to one (a deleted peer-token Secret, a
    /// StatefulSet's status) wakes its CacheGroup.</summary>
    public static readonly IReadOnlyList<ResourceType> Owned = [Services, ConfigMaps, StatefulSets, PodDisruptionBudgets, NetworkPolicies, Secrets];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static ResourceType ForKind(string apiVersion, string kind) =>
        Owned.Append(CacheGroups).Append(Leases).Append(Events).FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind)
        ?? throw new ArgumentException($"The client does not know {apiVersion} {kind}.");

    /// <summary>The collection's path, in <paramref name="ns"/> or across namespaces when it is null.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && ns is not null ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{root}/{Plural}";
    }

    public string ItemPath(string? ns, string name, string? subresource = null) =>
        CollectionPath(ns) + "/" + Uri.EscapeDataString(name) + (subresource is null ? string.Empty : "/" + subresource);
}
