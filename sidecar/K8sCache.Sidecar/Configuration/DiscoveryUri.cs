using K8sCache.Configuration;

namespace K8sCache.Sidecar.Configuration;

/// <summary>
/// A parsed discovery source: <c>static:///host:port,host:port</c> (a fixed member list) or <c>dns:///NAME:PORT</c>
/// (every address record of NAME is a member on PORT). The only parser of these URIs: the options reader validates
/// with it and discovery is built from what it returns.
/// </summary>
internal sealed record DiscoveryUri
{
    public const string StaticScheme = "static:///";
    public const string DnsScheme = "dns:///";

    private DiscoveryUri(IReadOnlyList<string>? staticMembers, string? dnsName, int dnsPort)
    {
        StaticMembers = staticMembers;
        DnsName = dnsName;
        DnsPort = dnsPort;
    }

    /// <summary>The members of a static list; null for DNS.</summary>
    public IReadOnlyList<string>? StaticMembers { get; }

    /// <summary>The name to resolve; null for a static list.</summary>
    public string? DnsName { get; }

    public int DnsPort { get; }

    public static DiscoveryUri Parse(string text) =>
        TryParse(text, out var uri, out var why) ? uri : throw new FormatException($"discovery '{text}' {why}");

    public static bool TryParse(string text, out DiscoveryUri uri, out string why)
    {
        uri = null!;
        why = string.Empty;
        if (text.StartsWith(StaticScheme, StringComparison.Ordinal))
        {
            var list = text[StaticScheme.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (list.Length == 0 || list.Any(m => !EndpointParser.TryParseHostPort(m, out _, out _)))
            {
                why = "must list host:port members separated by commas.";
                return false;
            }

            uri = new DiscoveryUri(list, null, 0);
            return true;
        }

        if (text.StartsWith(DnsScheme, StringComparison.Ordinal))
        {
            if (!EndpointParser.TryParseHostPort(text[DnsScheme.Length..], out var host, out var port))
            {
                why = "must name NAME:PORT (the headless Service and the peer port).";
                return false;
            }

            uri = new DiscoveryUri(null, host, port);
            return true;
        }

        why = "must start with static:/// or dns:///.";
        return false;
    }
}
