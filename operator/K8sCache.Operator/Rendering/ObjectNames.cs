using K8sCache.Operator.Api;

namespace K8sCache.Operator.Rendering;

/// <summary>The names and labels of the objects a CacheGroup owns. Changing any of them orphans running objects.</summary>
internal static class ObjectNames
{
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string AppName = "k8scache";
    public const string ManagedBy = "k8scache-operator";

    public static string PeerService(CacheGroup cg) => cg.Metadata.Name + "-peers";

    public static string StatefulSet(CacheGroup cg) => cg.Metadata.Name!;

    public static string ConfigMap(CacheGroup cg) => cg.Metadata.Name + "-config";

    public static string PeerTokenSecret(CacheGroup cg) => cg.Metadata.Name + "-peer-token";

    public static string DisruptionBudget(CacheGroup cg) => cg.Metadata.Name!;

    public static string NetworkPolicy(CacheGroup cg) => cg.Metadata.Name + "-peers";

    /// <summary>Selects the group's pods; immutable on a StatefulSet, so it never changes.</summary>
    public static Dictionary<string, string> SelectorLabels(CacheGroup cg) => new(StringComparer.Ordinal)
    {
        [InstanceLabel] = cg.Metadata.Name!,
        [NameLabel] = AppName,
    };

    /// <summary>The selector as the status and scale subresources carry it: <c>k=v,k=v</c>, keys sorted.</summary>
    public static string SelectorString(CacheGroup cg) =>
        string.Join(",", SelectorLabels(cg).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public static Dictionary<string, string> Labels(CacheGroup cg, string component)
    {
        var labels = SelectorLabels(cg);
        labels[ManagedByLabel] = ManagedBy;
        labels[ComponentLabel] = component;
        return labels;
    }
}
