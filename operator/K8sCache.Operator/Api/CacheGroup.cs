namespace K8sCache.Operator.Api;

/// <summary>
/// <c>k8scache.io/v1alpha1</c> CacheGroup: a set of cache pods serving named groups. The schema the API server enforces
/// is crds/k8scache.io_cachegroups.yaml; a test fails when this type and that file disagree.
/// </summary>
internal sealed class CacheGroup
{
    public const string Group = "k8scache.io";
    public const string Version = "v1alpha1";
    public const string ApiVersionValue = Group + "/" + Version;
    public const string KindValue = "CacheGroup";
    public const string Plural = "cachegroups";

    public string ApiVersion { get; set; } = ApiVersionValue;

    public string Kind { get; set; } = KindValue;

    public ObjectMeta Metadata { get; set; } = new();

    public CacheGroupSpec Spec { get; set; } = new();

    public CacheGroupStatus? Status { get; set; }
}
