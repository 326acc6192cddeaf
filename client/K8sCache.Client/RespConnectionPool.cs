namespace K8sCache.Client;

/// <summary>
/// Connections to the sidecar, at most <see cref="K8sCacheOptions.MaxConnections"/>, reused call after call. A
/// connection that failed during a call is dropped (its reply may still be on its way); one the sidecar closed while
/// it was idle (a restart) is dropped when next rented and a new one is opened.
/// </summary>
internal sealed class RespConnectionPool(K8sCacheOptions options) : IDisposable
{
    private readonly Stack<RespConnection> _idle = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _slots = new(options.MaxConnections, options.MaxConnections);
    private bool _disposed;

    /// <summary>A connection for one call; give it back with <see cref="Return"/>.</summary>
    public async ValueTask<RespConnection> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (TryTakeIdle(out var idle))
            {
                if (!idle.IsClosedByPeer)
                {
                    return idle;
                }

                idle.Dispose();
            }

            return await RespConnection.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            _slots.Release();
            throw new K8sCacheUnavailableException($"cannot connect to the sidecar at {options.UnixSocket ?? options.Endpoint}: {e.Message}", e);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a connection back: kept when its call completed, closed when it did not.</summary>
    public void Return(RespConnection connection, bool healthy)
    {
        lock (_lock)
        {
            if (healthy && !_disposed)
            {
                _idle.Push(connection);
                connection = null!;
            }
        }

        connection?.Dispose();
        _slots.Release();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
    }

    private bool TryTakeIdle(out RespConnection connection)
    {
        lock (_lock)
        {
            return _idle.TryPop(out connection!);
        }
    }
}
