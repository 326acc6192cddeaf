using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8sCache.Testing;

/// <summary>A raw RESP connection for the tests that need what client libraries will not send: malformed frames,
/// oversized requests, pipelines written at once, replies read later. Replies are decoded into strings ("+OK" and
/// "-ERR …" keep their marker), longs, null, or lists.</summary>
public sealed class RespTestClient : IDisposable
{
    private readonly Socket _socket;
    private readonly BufferedStream _input;

    private RespTestClient(Socket socket)
    {
        _socket = socket;
        _input = new BufferedStream(new NetworkStream(socket, ownsSocket: false), 64 * 1024);
    }

    public static async Task<RespTestClient> ConnectAsync(EndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint).WaitAsync(TestTimeouts.Default);
        socket.ReceiveTimeout = (int)TestTimeouts.Default.TotalMilliseconds;
        return new RespTestClient(socket);
    }

    public static Task<RespTestClient> ConnectAsync(string ip, int port) => ConnectAsync(new IPEndPoint(IPAddress.Parse(ip), port));

    public static byte[] Command(params object[] args)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (var arg in args)
        {
            var value = arg as byte[] ?? Encoding.UTF8.GetBytes(arg.ToString()!);
            bytes.AddRange(Encoding.ASCII.GetBytes($"${value.Length}\r\n"));
            bytes.AddRange(value);
            bytes.AddRange("\r\n"u8.ToArray());
        }

        return [.. bytes];
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes).WaitAsync(TestTimeouts.Default);

    public async Task<object?> CallAsync(params object[] args)
    {
        await SendAsync(Command(args));
        return Read();
    }

    /// <summary>The marker of the last aggregate read: '*' (array), '%' (RESP3 map) or '>' (RESP3 push).</summary>
    public char LastAggregate { get; private set; }

    /// <summary>Reads one reply (blocking, bounded by the socket's receive timeout).</summary>
    public object? Read()
    {
        var line = ReadLine();
        switch (line[0])
        {
            case '+' or '-':
                return line;
            case ':':
                return long.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture);
            case '_':
                return null;
            case '$':
                var length = int.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var value = new byte[length + 2];
                _input.ReadExactly(value);
                return Encoding.UTF8.GetString(value, 0, length);
            case '*' or '%' or '>':
                LastAggregate = line[0];
                var count = int.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture) * (line[0] == '%' ? 2 : 1);
                return count < 0 ? null : Enumerable.Range(0, count).Select(_ => Read()).ToList();
            default:
                throw new InvalidDataException($"not a RESP reply: {line}");
        }
    }

    /// <summary>True when the server closed the connection (reading returns end of stream).</summary>
    public bool IsClosedByServer()
    {
        try
        {
            return _input.ReadByte() == -1;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _socket.Dispose();
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        int b;
        while ((b = _input.ReadByte()) != '\n')
        {
            if (b == -1)
            {
                throw new EndOfStreamException("the server closed the connection");
            }

            if (b != '\r')
            {
                line.Append((char)b);
            }
        }

        return line.ToString();
    }
}
