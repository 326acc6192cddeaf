using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Discovery;

/// <summary>Turns a discovery URI into its source.</summary>
internal static class DiscoveryFactory
{
    public static IDiscovery Create(DiscoveryUri uri) =>
        uri.StaticMembers is { } members ? new StaticDiscovery(members) : new DnsDiscovery(uri.DnsName!, uri.DnsPort);
}
