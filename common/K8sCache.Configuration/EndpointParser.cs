using System.Globalization;
using System.Net;

namespace K8sCache.Configuration;

/// <summary><c>host:port</c> and <c>[v6]:port</c> as they appear in addresses and member lists.</summary>
public static class EndpointParser
{
    /// <summary>Splits <c>host:port</c> (or <c>[v6]:port</c>); false when either part is missing, the port is not
    /// 0–65535, or an IPv6 host is not bracketed (<c>::1:7070</c> could end anywhere).</summary>
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
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        return host.Length > 0
            && !host.Contains('/', StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is >= 0 and <= 65535;
    }

    /// <summary><c>host:port</c>, with an IPv6 host bracketed (<c>[fd00::5]:7070</c>) and an IP address in its
    /// canonical form, as DNS answers are formatted, so the same node is written the same way everywhere.</summary>
    public static string Format(string host, int port)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            host = ip.ToString();
        }

        return host.Contains(':', StringComparison.Ordinal)
            ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The port of <c>host:port</c>, or 0 when it does not parse.</summary>
    public static int PortOf(string hostPort) => TryParseHostPort(hostPort, out _, out var port) ? port : 0;

    /// <summary>The endpoint Kestrel listens on: an IP literal, <c>localhost</c> (loopback), <c>*</c> / <c>0.0.0.0</c>
    /// (every IPv4 address) or <c>[::]</c> (every IPv6 address, and IPv4 too where the kernel allows dual-stack).</summary>
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
