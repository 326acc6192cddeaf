using System.Net.Sockets;

namespace K8sCache.Client;

/// <summary>
/// <see cref="IK8sCache"/> over the sidecar's Redis endpoint: <c>GET</c>, <c>SET … PX</c>, <c>DEL</c>, <c>MGET</c>
/// on keys <c>GROUP:KEY</c>. A call that finds its pooled connection broken before any answer (the sidecar restarted)
/// is retried once on a new connection when it is a read; a write is not retried and reports the failure.
/// </summary>
public sealed class K8sCacheClient : IK8sCache, IDisposable
{
    private readonly K8sCacheOptions _options;
    private readonly RespConnectionPool _pool;

    /// <summary>A client of the sidecar <paramref name="options"/> name; connections open on first use.</summary>
    public K8sCacheClient(K8sCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        _options = options;
        _pool = new RespConnectionPool(options);
        Serializer = options.Serializer ?? new JsonK8sCacheSerializer(options.JsonSerializerOptions);
    }

    /// <inheritdoc/>
    public IK8sCacheSerializer Serializer { get; }

    /// <inheritdoc/>
    public ValueTask<byte[]?> GetAsync(string group, string key, CancellationToken cancellationToken = default)
    {
        CheckKey(group, key);
        return CallAsync("GET", retry: true, (group, key), static (c, s) => c.Begin(2).Argument("GET"u8).Key(s.group, s.key),
            static reply => reply.Kind == RespReplyKind.Bulk ? reply.Bulk : null, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string group, string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        CheckKey(group, key);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), t, "a lifetime must be positive; null means the group's default");
        }

        await CallAsync("SET", retry: false, (group, key, value, ttl), static (c, s) =>
        {
            c.Begin(s.ttl is null ? 3 : 5).Argument("SET"u8).Key(s.group, s.key).Argument(s.value.Span);
            if (s.ttl is { } lifetime)
            {
                c.Argument("PX"u8).Integer(Math.Max(1, (long)Math.Ceiling(lifetime.TotalMilliseconds)));
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string group, string key, CancellationToken cancellationToken = default)
    {
        CheckKey(group, key);
        var reply = await CallAsync("DEL", retry: false, (group, key), static (c, s) => c.Begin(2).Argument("DEL"u8).Key(s.group, s.key), cancellationToken).ConfigureAwait(false);
        return reply.Integer > 0;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<byte[]?>> GetManyAsync(string group, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        foreach (var key in keys)
        {
            CheckKey(group, key);
        }

        var reply = await CallAsync("MGET", retry: true, (group, keys), static (c, s) =>
        {
            c.Begin(s.keys.Count + 1).Argument("MGET"u8);
            foreach (var key in s.keys)
            {
                c.Key(s.group, key);
            }
        }, cancellationToken).ConfigureAwait(false);
        return reply.Items!.Select(i => i.Kind == RespReplyKind.Bulk ? i.Bulk : null).ToArray();
    }

    /// <summary>Changes the lifetime of a key the cache holds (the sliding expiration of the distributed cache); true
    /// when it held the key.</summary>
    internal async ValueTask<bool> ExpireAsync(string group, string key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var reply = await CallAsync("PEXPIRE", retry: true, (group, key, ttl), static (c, s) => c.Begin(3).Argument("PEXPIRE"u8).Key(s.group, s.key)
            .Integer(Math.Max(1, (long)Math.Ceiling(s.ttl.TotalMilliseconds))), cancellationToken).ConfigureAwait(false);
        return reply.Integer > 0;
    }

    /// <summary>Closes every connection.</summary>
    public void Dispose() => _pool.Dispose();

    private static void CheckKey(string group, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(key);
    }

    /// <summary>One command on a pooled connection. <paramref name="state"/> and a static <paramref name="write"/> keep
    /// the call free of closures; the pooling builder reuses the state machine of a call that waits on the socket.</summary>
    private ValueTask<RespReply> CallAsync<TState>(string command, bool retry, TState state, Action<RespConnection, TState> write, CancellationToken cancellationToken) =>
        CallAsync(command, retry, state, write, static reply => reply, cancellationToken);

    /// <summary>One command on a pooled connection, its answer turned into the result by <paramref name="read"/>:
    /// one state machine for the whole call. <paramref name="state"/> and static delegates keep it free of closures;
    /// the pooling builder reuses the state machine of a call that waits on the socket.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> CallAsync<TState, TResult>(string command, bool retry, TState state, Action<RespConnection, TState> write,
        Func<RespReply, TResult> read, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var connection = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            var healthy = false;
            try
            {
                write(connection, state);
                var reply = await connection.ExecuteAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
                healthy = true;
                return read(reply.ThrowIfError(command));
            }
            catch (Exception e) when (e is SocketException or IOException or K8sCacheUnavailableException && retry && attempt == 0)
            {
                // The sidecar went away between calls (a restart): a read is safe to send again on a new connection.
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                throw new K8sCacheUnavailableException($"{command} failed: the connection to the sidecar broke ({e.Message})", e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{command} took longer than K8sCacheOptions.OperationTimeout ({_options.OperationTimeout})");
            }
            finally
            {
                _pool.Return(connection, healthy);
            }
        }
    }
}
