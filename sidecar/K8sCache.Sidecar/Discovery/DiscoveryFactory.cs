using K8sCache.Protocol.Configuration;

namespace K8sCache.Sidecar.Discovery;

/// <summary>Turns a validated discovery URI into its source.</summary>
internal static class DiscoveryFactory
{
    public static IDiscovery Create(string uri)
    {
        if (uri.StartsWith("static:///", StringComparison.Ordinal))
        {
            return new StaticDiscovery(uri["static:///".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (uri.StartsWith("dns:///", StringComparison.Ordinal) && EndpointParser.TryParseHostPort(uri["dns:///".Length..], out var host, out var port))
        {
            return new DnsDiscovery(host, port);
        }

        throw new ArgumentException($"'{uri}' is not a static:/// or dns:/// discovery URI.", nameof(uri));
    }
}
