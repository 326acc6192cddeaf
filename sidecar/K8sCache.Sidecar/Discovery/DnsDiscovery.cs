using System.Net;
using System.Net.Sockets;
using K8sCache.Configuration;

namespace K8sCache.Sidecar.Discovery;

/// <summary>
/// <c>dns:///NAME:PORT</c>: every address record of NAME is a member on PORT, as a pod sees its headless Service.
/// Resolved through the system resolver (so /etc/resolv.conf and the cluster DNS apply). A name that does not exist
/// means no other members; any other failure keeps the previous list.
/// </summary>
internal sealed class DnsDiscovery(string name, int port) : IDiscovery
{
    public string Name { get; } = name;

    public int Port { get; } = port;

    public async Task<IReadOnlyList<string>?> ResolveAsync(CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(Name, cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return [];
        }
        catch (SocketException)
        {
            return null;
        }

        return addresses
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Select(a => EndpointParser.Format(a.ToString(), Port))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
