using System.Buffers;
using System.Net.Sockets;
using K8sCache.Sidecar.Transport;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// One client connection (TCP or a Unix domain socket) on the Redis endpoint's <see cref="EventLoop"/>: each read is
/// parsed into commands that run in order, their replies gathered and sent when the loop's wake-up ends. A command
/// that waits (a miss filled by a peer or the loader) parks the connection — nothing more is read or sent, the pending
/// command being the only writer of the replies meanwhile — and its completion posts the connection back to the loop,
/// which sends the batch and reads on. Backpressure: while the client does not read its replies, the socket is watched
/// for room instead of requests. Published messages are written by the loop after the replies of the batch, woken by
/// <see cref="EventLoop.Post"/>. A protocol error or a request over <c>Resp:MaxRequestBytes</c> is answered and the
/// connection closed, as Redis does.
/// </summary>
internal sealed class RespConnection : IEventLoopHandler
{
    /// <summary>The read buffer a connection starts with and returns to after a large request (Redis's query buffer
    /// size).</summary>
    private const int InputBytes = 16 * 1024;

    /// <summary>Room one read needs at least; a fuller buffer is compacted or grown first.</summary>
    private const int MinReadBytes = 4096;

    /// <summary>Unsent replies past which the connection sends before it runs its next command.</summary>
    private const int OutputPauseBytes = 1024 * 1024;

    /// <summary>A reply buffer grown past this by a large reply is dropped once it is sent.</summary>
    private const int KeptOutputBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly EventLoop _loop;
    private readonly RespCommands _commands;
    private readonly RespStats _stats;
    private readonly long _maxRequestBytes;
    private readonly ILogger _logger;
    private readonly RespSession _session;
    private readonly RespRequest _request = new();
    private readonly Action _resume;
    private byte[] _input = ArrayPool<byte>.Shared.Rent(InputBytes);
    private int _start;
    private int _end;
    private ArrayBufferWriter<byte> _output = new(MinReadBytes);
    private int _sent;
    private ValueTask _pending;
    private bool _parked;
    private bool _sendBlocked;
    private bool _sendQueued;
    private bool _closed;
    private int _posted;
    private volatile bool _abort;

    public RespConnection(Socket socket, EventLoop loop, RespCommands commands, RespStats stats, long id, long maxRequestBytes, ILogger logger)
    {
        _socket = socket;
        _fd = (int)socket.Handle;
        _loop = loop;
        _commands = commands;
        _stats = stats;
        _maxRequestBytes = maxRequestBytes;
        _logger = logger;
        _resume = Post;
        _session = new RespSession(id, authenticated: !commands.PasswordRequired)
        {
            Wake = Post,
            Abort = () =>
            {
                _abort = true;
                Post();
            },
        };
    }

    public int Fd => _fd;

    public void OnEvents(uint events)
    {
        if ((events & Epoll.Out) != 0)
        {
            Send();
            if (!_sendBlocked && !_parked && !_closed)
            {
                Run();
            }
        }

        if ((events & Epoll.In) != 0 && !_parked && !_sendBlocked && !_closed)
        {
            Receive();
        }
        else if ((events & (Epoll.HangUp | Epoll.Error)) != 0)
        {
            Close(null);
        }
    }

    /// <summary>A parked command finished, messages were published to the connection, or it is to be aborted.</summary>
    public void OnPosted()
    {
        Volatile.Write(ref _posted, 0);
        if (_closed)
        {
            return;
        }

        if (_abort)
        {
            Close(null);
            return;
        }

        if (_parked)
        {
            if (!_pending.IsCompleted)
            {
                return;
            }

            _parked = false;
            var pending = _pending;
            _pending = default;
            pending.GetAwaiter().GetResult();
            _loop.Watch(_fd, Epoll.In);
            Run();
        }
        else if (!_sendBlocked)
        {
            // While the client reads nothing, published messages stay in the subscriber's backlog, whose limit
            // closes a subscriber that never reads; they are written once the socket has room.
            _session.Subscriber?.WriteTo(_output);
            QueueSend();
        }
    }

    public void OnBatchEnd()
    {
        _sendQueued = false;
        if (!_closed && !_parked)
        {
            Send();
        }
    }

    public void Close(Exception? fault)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (fault is not null)
        {
            RespLog.CommandFailed(_logger, fault);
        }

        _loop.Remove(_fd);
        _socket.Dispose();
        _commands.EndSession(_session);
        _stats.Close();
        if (!_parked)
        {
            // A parked command may still write into the buffers; they are left to the collector then.
            ArrayPool<byte>.Shared.Return(_input);
        }
    }

    private void Post()
    {
        if (Interlocked.Exchange(ref _posted, 1) == 0)
        {
            _loop.Post(this);
        }
    }

    private void Receive()
    {
        MakeRoom();
        var read = _socket.Receive(_input.AsSpan(_end), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            return;
        }

        if (error != SocketError.Success || read == 0)
        {
            Close(null);
            return;
        }

        _end += read;
        Run();
    }

    /// <summary>Runs the buffered commands in order until one parks, the request is incomplete, or the connection is to
    /// close; then queues the replies to be sent.</summary>
    private void Run()
    {
        while (!_session.Closing && _start < _end)
        {
            if (_output.WrittenCount - _sent > OutputPauseBytes)
            {
                Send();
                if (_sendBlocked || _closed)
                {
                    return;
                }
            }

            var status = RespParser.TryParse(_input.AsSpan(_start, _end - _start), _request, _maxRequestBytes, out var consumed, out var error);
            if (status == RespParseStatus.Incomplete)
            {
                if (_end - _start > _maxRequestBytes)
                {
                    Refuse($"ERR Protocol error: the request is larger than Resp:MaxRequestBytes ({_maxRequestBytes} bytes)");
                }

                break;
            }

            if (status == RespParseStatus.Error)
            {
                RespLog.ProtocolError(_logger, _session.Id, error);
                Refuse("ERR " + error);
                break;
            }

            _start += consumed;
            if (status == RespParseStatus.Command)
            {
                var pending = _commands.ExecuteAsync(_request, _session, _output);
                if (!pending.IsCompleted)
                {
                    Park(pending);
                    return;
                }

                pending.GetAwaiter().GetResult();
            }
        }

        if (_start == _end)
        {
            _start = _end = 0;
            if (_input.Length > InputBytes)
            {
                ArrayPool<byte>.Shared.Return(_input);
                _input = ArrayPool<byte>.Shared.Rent(InputBytes);
            }
        }

        // Published messages go after the replies of the batch: a subscription's confirmation precedes its messages.
        _session.Subscriber?.WriteTo(_output);
        QueueSend();
    }

    private void Park(ValueTask pending)
    {
        _parked = true;
        _pending = pending;
        _loop.Watch(_fd, 0);
        pending.GetAwaiter().UnsafeOnCompleted(_resume);
    }

    private void Refuse(string error)
    {
        RespWriter.Error(_output, error);
        _session.Closing = true;
    }

    private void QueueSend()
    {
        if (!_sendQueued && (_output.WrittenCount > _sent || _session.Closing))
        {
            _sendQueued = true;
            _loop.AtBatchEnd(this);
        }
    }

    /// <summary>Sends the unsent replies; what the socket has no room for waits for it to have some.</summary>
    private void Send()
    {
        while (_sent < _output.WrittenCount)
        {
            var sent = _socket.Send(_output.WrittenSpan[_sent..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                if (!_sendBlocked)
                {
                    _sendBlocked = true;
                    _loop.Watch(_fd, Epoll.Out);
                }

                return;
            }

            if (error != SocketError.Success)
            {
                Close(null);
                return;
            }

            _sent += sent;
        }

        _sent = 0;
        if (_output.Capacity > KeptOutputBytes)
        {
            _output = new ArrayBufferWriter<byte>(MinReadBytes);
        }
        else
        {
            _output.ResetWrittenCount();
        }

        if (_sendBlocked)
        {
            _sendBlocked = false;
            _loop.Watch(_fd, Epoll.In);
        }

        if (_session.Closing)
        {
            Close(null);
        }
    }

    /// <summary>Leaves at least <see cref="MinReadBytes"/> free after the buffered bytes: moves them to the front, or
    /// grows the buffer while one request is larger than it (up to the request limit, which the parser enforces).</summary>
    private void MakeRoom()
    {
        if (_input.Length - _end >= MinReadBytes)
        {
            return;
        }

        var buffered = _end - _start;
        var target = _input;
        if (buffered + MinReadBytes > _input.Length)
        {
            target = ArrayPool<byte>.Shared.Rent(Math.Max(_input.Length * 2, buffered + MinReadBytes));
        }

        _input.AsSpan(_start, buffered).CopyTo(target);
        if (target != _input)
        {
            ArrayPool<byte>.Shared.Return(_input);
            _input = target;
        }

        _start = 0;
        _end = buffered;
    }
}
