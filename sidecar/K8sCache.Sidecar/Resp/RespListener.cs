using System.Net.Sockets;
using K8sCache.Sidecar.Transport;

namespace K8sCache.Sidecar.Resp;

/// <summary>A listening socket of the Redis endpoint on its <see cref="EventLoop"/>: each readiness accepts one client
/// and hands it to <paramref name="accepted"/> (the loop reports the socket again while more wait).</summary>
internal sealed class RespListener(Socket socket, EventLoop loop, Action<Socket> accepted) : IEventLoopHandler
{
    public int Fd { get; } = (int)socket.Handle;

    public void OnEvents(uint events)
    {
        Socket client;
        try
        {
            client = socket.Accept();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted or SocketError.ConnectionReset)
        {
            // Another wake-up took it, or the client left before it was accepted.
            return;
        }

        accepted(client);
    }

    public void OnPosted()
    {
    }

    public void OnBatchEnd()
    {
    }

    public void Close(Exception? fault)
    {
        loop.Remove(Fd);
        socket.Dispose();
    }
}
