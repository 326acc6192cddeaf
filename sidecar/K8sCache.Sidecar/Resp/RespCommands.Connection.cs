using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Connection commands: what client libraries send when they connect and between calls (PING, ECHO, HELLO, AUTH,
/// CLIENT SETNAME/SETINFO/ID/INFO…, SELECT 0, QUIT, RESET), as Redis groups them apart from its server commands.
/// </summary>
internal sealed partial class RespCommands
{
    public ValueTask Ping(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (session.Subscriber is { Count: > 0 } && session.Protocol == 2 && request.Count <= 2)
        {
            // A RESP2 connection with subscriptions reads every frame as a message: PING answers in that shape.
            RespWriter.Array(output, 2);
            RespWriter.Bulk(output, "pong"u8);
            RespWriter.Bulk(output, request.Count == 2 ? request[1] : []);
            return ValueTask.CompletedTask;
        }

        switch (request.Count)
        {
            case 1:
                RespWriter.Simple(output, "PONG"u8);
                break;
            case 2:
                RespWriter.Bulk(output, request[1]);
                break;
            default:
                throw new RespSyntaxException("ERR wrong number of arguments for 'ping' command");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask Echo(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RespWriter.Bulk(output, request[1]);
        return ValueTask.CompletedTask;
    }

    /// <summary>HELLO [protover [AUTH username password] [SETNAME clientname]].</summary>
    public ValueTask Hello(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var protocol = session.Protocol;
        if (request.Count >= 2)
        {
            var version = RespArguments.Integer(request, 1);
            protocol = version is 2 or 3 ? (int)version : throw new RespSyntaxException("NOPROTO unsupported protocol version");
        }

        string? name = null;
        for (var i = 2; i < request.Count; i++)
        {
            if (request.Is(i, "AUTH"u8) && i + 2 < request.Count)
            {
                CheckPassword(request, i + 1, i + 2);
                session.Authenticated = true;
                i += 2;
            }
            else if (request.Is(i, "SETNAME"u8) && i + 1 < request.Count)
            {
                name = ClientName(request, ++i);
            }
            else
            {
                throw new RespSyntaxException($"ERR Syntax error in HELLO option '{request.Text(i)}'");
            }
        }

        if (!session.Authenticated)
        {
            throw new RespSyntaxException("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }

        session.Protocol = protocol;
        session.Name = name ?? session.Name;
        RespWriter.Map(output, 7, protocol);
        RespWriter.Bulk(output, "server");
        RespWriter.Bulk(output, "redis");
        RespWriter.Bulk(output, "version");
        RespWriter.Bulk(output, CompatibleRedisVersion);
        RespWriter.Bulk(output, "proto");
        RespWriter.Integer(output, protocol);
        RespWriter.Bulk(output, "id");
        RespWriter.Integer(output, session.Id);
        RespWriter.Bulk(output, "mode");
        RespWriter.Bulk(output, "standalone");
        RespWriter.Bulk(output, "role");
        RespWriter.Bulk(output, "master");
        RespWriter.Bulk(output, "modules");
        RespWriter.Array(output, 0);
        return ValueTask.CompletedTask;
    }

    /// <summary>AUTH [username] password; the only user is <c>default</c>, as in Redis without ACLs.</summary>
    public ValueTask Auth(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (request.Count > 3)
        {
            throw RespSyntaxException.Syntax();
        }

        if (!PasswordRequired)
        {
            throw new RespSyntaxException("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }

        CheckPassword(request, request.Count == 3 ? 1 : -1, request.Count - 1);
        session.Authenticated = true;
        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    /// <summary>CLIENT SETNAME | GETNAME | ID | SETINFO | INFO.</summary>
    public ValueTask Client(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (request.Is(1, "SETNAME"u8) && request.Count == 3)
        {
            session.Name = ClientName(request, 2);
            RespWriter.Simple(output, "OK"u8);
        }
        else if (request.Is(1, "GETNAME"u8) && request.Count == 2)
        {
            if (session.Name is { } name)
            {
                RespWriter.Bulk(output, name);
            }
            else
            {
                RespWriter.Null(output, session.Protocol);
            }
        }
        else if (request.Is(1, "ID"u8) && request.Count == 2)
        {
            RespWriter.Integer(output, session.Id);
        }
        else if (request.Is(1, "SETINFO"u8) && request.Count == 4)
        {
            if (request.Is(2, "LIB-NAME"u8))
            {
                session.LibraryName = ClientName(request, 3);
            }
            else if (request.Is(2, "LIB-VER"u8))
            {
                session.LibraryVersion = ClientName(request, 3);
            }
            else
            {
                throw new RespSyntaxException($"ERR Unrecognized option '{request.Text(2)}'");
            }

            RespWriter.Simple(output, "OK"u8);
        }
        else if (request.Is(1, "INFO"u8) && request.Count == 2)
        {
            RespWriter.Bulk(output, $"id={session.Id} name={session.Name} resp={session.Protocol} lib-name={session.LibraryName} lib-ver={session.LibraryVersion}\n");
        }
        else
        {
            throw new RespSyntaxException($"ERR unknown subcommand or wrong number of arguments for '{request.Text(1)}'. Try CLIENT HELP.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>SELECT 0: the one database there is (groups take the place of databases).</summary>
    public ValueTask Select(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (RespArguments.Integer(request, 1) != 0)
        {
            throw new RespSyntaxException("ERR DB index is out of range");
        }

        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    public ValueTask Quit(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RespWriter.Simple(output, "OK"u8);
        session.Closing = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>RESET: back to a new connection's state (RESP2, no name, not authenticated when a password is set, no
/// transaction, nothing watched, no subscriptions).</summary>
    public ValueTask Reset(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        session.Protocol = 2;
        session.Name = session.LibraryName = session.LibraryVersion = null;
        session.Authenticated = !PasswordRequired;
        session.Multi = null;
        session.Watches = [];
        session.Subscriber?.Leave(bus.Subscriptions);
        RespWriter.Simple(output, "RESET"u8);
        return ValueTask.CompletedTask;
    }

    /// <summary>Compares with the password file's content (read at each AUTH, so a rotated Secret applies at once),
    /// in constant time.</summary>
    private void CheckPassword(RespRequest request, int userIndex, int passwordIndex)
    {
        var file = node.Options.Resp.PasswordFile ?? throw new RespSyntaxException("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        var expected = Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim());
        var userOk = userIndex < 0 || request.Is(userIndex, "DEFAULT"u8) && request[userIndex].SequenceEqual("default"u8);
        if (!userOk | !CryptographicOperations.FixedTimeEquals(request[passwordIndex], expected))
        {
            throw new RespSyntaxException("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    private static string ClientName(RespRequest request, int index)
    {
        foreach (var b in request[index])
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                throw new RespSyntaxException("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }

        return request.Text(index);
    }
}
