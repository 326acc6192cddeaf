using System.Net;
using System.Net.Sockets;

namespace K8sCache.Testing;

/// <summary>Ports on 127.0.0.1 for servers a test or benchmark starts with a fixed address.</summary>
public static class LoopbackPorts
{
    /// <summary>A port the OS just handed out and took back: free, and outside any fixed range.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
