using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8sCache.Client;

/// <summary>
/// One connection to the sidecar's Redis endpoint, used by one call at a time (the pool hands it out). The request is
/// written into a buffer the connection keeps and sent in one write; the reply is read into a buffer it keeps too, so a
/// call allocates nothing but the value it returns.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly ArrayBufferWriter<byte> _request = new(256);

    /// <summary>The operation timeout's source, reset after every call that did not fire it, so calls allocate none.</summary>
    private readonly CancellationTokenSource _timeout = new();
    private byte[] _buffer = new byte[8 * 1024];
    private int _start;
    private int _end;

    private RespConnection(Socket socket) => _socket = socket;

    /// <summary>Whether the sidecar closed this connection while it was idle (it restarted, say): then it must not be
    /// used again.</summary>
    public bool IsClosedByPeer
    {
        get
        {
            try
            {
                return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return true;
            }
        }
    }

    public static async ValueTask<RespConnection> OpenAsync(K8sCacheOptions options, CancellationToken cancellationToken)
    {
        EndPoint endpoint = options.UnixSocket is { } path ? new UnixDomainSocketEndPoint(path) : await ResolveAsync(options.Endpoint, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        var connection = new RespConnection(socket);
        try
        {
            if (endpoint is not UnixDomainSocketEndPoint)
            {
                socket.NoDelay = true;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            if (options.Password is { } password)
            {
                connection.Begin(2).Argument("AUTH"u8).Argument(Encoding.UTF8.GetBytes(password));
                (await connection.ExecuteAsync(options.ConnectTimeout, cancellationToken).ConfigureAwait(false)).ThrowIfError("AUTH");
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts a command of <paramref name="arguments"/> arguments (its name included).</summary>
    public RespConnection Begin(int arguments)
    {
        _request.ResetWrittenCount();
        Header((byte)'*', arguments);
        return this;
    }

    public RespConnection Argument(ReadOnlySpan<byte> value)
    {
        Header((byte)'$', value.Length);
        Write(value);
        Write("\r\n"u8);
        return this;
    }

    /// <summary>The argument <c>GROUP:KEY</c>, written without building the string.</summary>
    public RespConnection Key(string group, string key)
    {
        var length = Encoding.UTF8.GetByteCount(group) + 1 + Encoding.UTF8.GetByteCount(key);
        Header((byte)'$', length);
        var span = _request.GetSpan(length + 2);
        var written = Encoding.UTF8.GetBytes(group, span);
        span[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(key, span[written..]);
        "\r\n"u8.CopyTo(span[written..]);
        _request.Advance(written + 2);
        return this;
    }

    public RespConnection Integer(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        return Argument(digits[..length]);
    }

    /// <summary>Sends the command and reads its reply within <paramref name="timeout"/>; a connection whose call was
    /// cancelled or timed out must not be used again (its reply may still arrive).</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RespReply> ExecuteAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_timeout.TryReset())
        {
            throw new InvalidOperationException("a connection whose call timed out is not reused");
        }

        _timeout.CancelAfter(timeout);
        using var linked = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timeout)
            : default;
        await SendAsync(_timeout.Token).ConfigureAwait(false);
        return await ReadAsync(_timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Sends the command begun with <see cref="Begin"/> without reading a reply (a subscription's commands,
    /// whose confirmations arrive among its messages).</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var request = _request.WrittenMemory;
        while (!request.IsEmpty)
        {
            var sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            request = request[sent..];
        }
    }

    /// <summary>Reads the next reply or pushed message, however long it takes to come.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RespReply> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeReply(out var reply))
            {
                return reply;
            }

            Received(await _socket.ReceiveAsync(ReceiveSpace(), SocketFlags.None, cancellationToken).ConfigureAwait(false));
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }

    private static async ValueTask<EndPoint> ResolveAsync(string endpoint, CancellationToken cancellationToken)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new K8sCacheException($"K8sCacheOptions.Endpoint '{endpoint}' is not host:port");
        }

        var host = endpoint[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return new IPEndPoint(addresses.First(), port);
    }

    private bool TryTakeReply(out RespReply reply)
    {
        var consumed = RespReplyReader.TryRead(_buffer.AsSpan(_start, _end - _start), out reply);
        if (consumed == 0)
        {
            return false;
        }

        _start += consumed;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        return true;
    }

    private Memory<byte> ReceiveSpace()
    {
        if (_end == _buffer.Length)
        {
            Compact();
        }

        return _buffer.AsMemory(_end);
    }

    private void Received(int read)
    {
        if (read == 0)
        {
            throw new K8sCacheUnavailableException("the sidecar closed the connection");
        }

        _end += read;
    }

    /// <summary>Moves unread bytes to the front, or grows the buffer when a reply is larger than it.</summary>
    private void Compact()
    {
        var unread = _end - _start;
        if (_start == 0)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
            return;
        }

        Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
        _start = 0;
        _end = unread;
    }

    private void Header(byte marker, long value)
    {
        var span = _request.GetSpan(24);
        span[0] = marker;
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        _request.Advance(3 + written);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_request.GetSpan(bytes.Length));
        _request.Advance(bytes.Length);
    }
}
