namespace K8sCache.Operator.Api;

/// <summary>Input limits of every pod. Defaults 1024 and 1048576.</summary>
internal sealed class LimitsSpec
{
    public int? MaxKeyBytes { get; set; }

    public int? MaxValueBytes { get; set; }
}
