namespace K8sCache.Operator.Api;

/// <summary>Input limits of every pod. Unset: the sidecar's defaults.</summary>
internal sealed class LimitsSpec
{
    public int? MaxKeyBytes { get; set; }

    public int? MaxValueBytes { get; set; }
}
