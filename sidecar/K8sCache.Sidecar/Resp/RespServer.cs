using System.Net;
using System.Net.Sockets;
using K8sCache.Configuration;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Transport;
using Microsoft.AspNetCore.Connections;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// The Redis endpoint: its TCP address and its Unix domain socket, served by one <see cref="EventLoop"/> thread of
/// their own, beside Kestrel's transport, which the HTTP and gRPC ports keep. The sockets are bound while the host
/// starts, before any other service starts (so a taken port ends the start, and the endpoint listens before
/// <c>/readyz</c> can answer); the loop stops after the other services, when the host has drained.
/// </summary>
internal sealed class RespServer(string address, string? unixSocket, RespCommands commands, RespStats stats, Func<RespOptions> options, ILogger logger)
    : IHostedLifecycleService, IDisposable
{
    /// <summary>How long stopping waits for the loop to close its connections.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly EventLoop _loop = new("K8sCache RESP");
    private bool _started;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (address.Length > 0)
        {
            var endpoint = EndpointParser.ToListenEndpoint(address);
            Listen(new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp), endpoint);
        }

        if (unixSocket is not null)
        {
            // A socket file left by a previous run of this container would make the bind fail.
            File.Delete(unixSocket);
            Listen(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(unixSocket));
            // Containers of the pod share the socket through an emptyDir whose group is the pod's fsGroup: group
            // members may connect, nobody else.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(unixSocket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
        }

        _loop.Start();
        _started = true;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every service stopped (the drain's delay included): closes the listeners and connections.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        StopLoop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        StopLoop();
        _loop.Dispose();
    }

    private void StopLoop()
    {
        if (_started)
        {
            _started = false;
            _loop.Stop(StopTimeout);
        }
    }

    /// <summary>Binds and listens; a failure is reported as Kestrel reports one, which the start-up errors name.</summary>
    private void Listen(Socket socket, EndPoint endpoint)
    {
        try
        {
            if (socket.AddressFamily != AddressFamily.Unix)
            {
                // As Kestrel: a restarted sidecar binds again while the previous connections are in TIME_WAIT.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var message = $"Failed to bind to address {endpoint}: {(e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "address already in use" : e.Message)}.";
            throw new IOException(message, e.SocketErrorCode == SocketError.AddressAlreadyInUse ? new AddressInUseException(e.Message, e) : e);
        }

        socket.Blocking = false;
        var listener = new RespListener(socket, _loop, Accept);
        _loop.Add(listener.Fd, listener, Epoll.In);
    }

    /// <summary>On the loop: a client connected. Past <c>Resp:MaxConnections</c> it is told so and closed.</summary>
    private void Accept(Socket client)
    {
        client.Blocking = false;
        if (client.AddressFamily != AddressFamily.Unix)
        {
            client.NoDelay = true;
        }

        var (id, open) = stats.Open();
        var limits = options();
        if (open > limits.MaxConnections)
        {
            stats.Rejected();
            RespLog.TooManyConnections(logger, id, open, limits.MaxConnections);
            client.Send("-ERR max number of clients reached\r\n"u8, SocketFlags.None, out _);
            client.Dispose();
            stats.Close();
            return;
        }

        var connection = new RespConnection(client, _loop, commands, stats, id, limits.MaxRequestBytes, logger);
        _loop.Add(connection.Fd, connection, Epoll.In);
    }
}
