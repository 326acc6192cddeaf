using Wire = K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Peers;

/// <summary>The write conditions between the cache's terms and the peer protocol's, both ways (the client sends them,
/// the Peer service receives them).</summary>
internal static class WireConditions
{
    public static Wire.SetCondition ToWire(Caching.SetCondition condition) => condition switch
    {
        Caching.SetCondition.IfAbsent => Wire.SetCondition.IfAbsent,
        Caching.SetCondition.IfPresent => Wire.SetCondition.IfPresent,
        _ => Wire.SetCondition.Always,
    };

    public static Caching.SetCondition FromWire(Wire.SetCondition condition) => condition switch
    {
        Wire.SetCondition.IfAbsent => Caching.SetCondition.IfAbsent,
        Wire.SetCondition.IfPresent => Caching.SetCondition.IfPresent,
        _ => Caching.SetCondition.Always,
    };

    public static Wire.ExpireCondition ToWire(Caching.ExpireCondition condition) => condition switch
    {
        Caching.ExpireCondition.IfNoExpiry => Wire.ExpireCondition.IfNoExpiry,
        Caching.ExpireCondition.IfExpiry => Wire.ExpireCondition.IfExpiry,
        Caching.ExpireCondition.IfLater => Wire.ExpireCondition.IfLater,
        Caching.ExpireCondition.IfEarlier => Wire.ExpireCondition.IfEarlier,
        _ => Wire.ExpireCondition.Always,
    };

    public static Caching.ExpireCondition FromWire(Wire.ExpireCondition condition) => condition switch
    {
        Wire.ExpireCondition.IfNoExpiry => Caching.ExpireCondition.IfNoExpiry,
        Wire.ExpireCondition.IfExpiry => Caching.ExpireCondition.IfExpiry,
        Wire.ExpireCondition.IfLater => Caching.ExpireCondition.IfLater,
        Wire.ExpireCondition.IfEarlier => Caching.ExpireCondition.IfEarlier,
        _ => Caching.ExpireCondition.Always,
    };
}
