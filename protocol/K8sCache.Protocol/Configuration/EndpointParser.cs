using System.Globalization;
using System.Net;

namespace K8sCache.Protocol.Configuration;

/// <summary><c>host:port</c> and <c>[v6]:port</c> as they appear in addresses and member lists.</summary>
public static class EndpointParser
{
    /// <summary>Splits <c>host:port</c> (or <c>[v6]:port</c>); false when either part is missing or the port is not 0–65535.</summary>
    public static bool TryParseHostPort(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return host.Length > 0
            && !host.Contains('/', StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is >= 0 and <= 65535;
    }

    /// <summary>The port of <c>host:port</c>, or 0 when it does not parse.</summary>
    public static int PortOf(string hostPort) => TryParseHostPort(hostPort, out _, out var port) ? port : 0;

    /// <summary>The endpoint Kestrel listens on: an IP literal, <c>localhost</c> (loopback), or <c>*</c> / <c>0.0.0.0</c>
    /// (every IPv4 address).</summary>
    public static IPEndPoint ToListenEndpoint(string hostPort)
    {
        if (!TryParseHostPort(hostPort, out var host, out var port))
        {
            throw new FormatException($"'{hostPort}' is not host:port.");
        }

        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.Any,
            _ => IPAddress.Parse(host),
        };
        return new IPEndPoint(address, port);
    }
}
