using System.Globalization;
using System.IO.Pipelines;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Connection and server commands: what client libraries send when they connect (HELLO, AUTH, CLIENT SETINFO, SELECT 0,
/// COMMAND, CONFIG GET) and what operators type (PING, INFO, DBSIZE). The endpoint reports itself as Redis 7.2 in
/// standalone mode, the version whose commands it follows, so clients enable what it serves.
/// </summary>
internal sealed partial class RespCommands
{
    public const string CompatibleRedisVersion = "7.2.0";

    private static readonly string ProductVersion =
        typeof(RespCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public ValueTask Ping(RespRequest request, RespSession session, PipeWriter output)
    {
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

    public ValueTask Echo(RespRequest request, RespSession session, PipeWriter output)
    {
        RespWriter.Bulk(output, request[1]);
        return ValueTask.CompletedTask;
    }

    /// <summary>HELLO [protover [AUTH username password] [SETNAME clientname]].</summary>
    public ValueTask Hello(RespRequest request, RespSession session, PipeWriter output)
    {
        var protocol = session.Protocol;
        if (request.Count >= 2)
        {
            var version = Integer(request, 1);
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
    public ValueTask Auth(RespRequest request, RespSession session, PipeWriter output)
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
    public ValueTask Client(RespRequest request, RespSession session, PipeWriter output)
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
    public ValueTask Select(RespRequest request, RespSession session, PipeWriter output)
    {
        if (Integer(request, 1) != 0)
        {
            throw new RespSyntaxException("ERR DB index is out of range");
        }

        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    /// <summary>INFO [section …]: server, clients, stats and keyspace (this node's entries).</summary>
    public ValueTask Info(RespRequest request, RespSession session, PipeWriter output)
    {
        var wanted = Enumerable.Range(1, request.Count - 1).Select(i => request.Text(i).ToLowerInvariant()).ToHashSet();
        bool Wants(string section) => wanted.Count == 0 || wanted.Contains(section) || wanted.Contains("all") || wanted.Contains("everything") || wanted.Contains("default");
        var text = new StringBuilder();
        if (Wants("server"))
        {
            text.Append("# Server\r\n")
                .Append("redis_version:").Append(CompatibleRedisVersion).Append("\r\n")
                .Append("k8scache_version:").Append(ProductVersion).Append("\r\n")
                .Append("redis_mode:standalone\r\n")
                .Append("os:").Append(Environment.OSVersion.Platform).Append("\r\n")
                .Append("process_id:").Append(Environment.ProcessId).Append("\r\n")
                .Append("tcp_port:").Append(node.Options.RespAddress.Length > 0 ? global::K8sCache.Configuration.EndpointParser.PortOf(node.Options.RespAddress) : 0).Append("\r\n")
                .Append("uptime_in_seconds:").Append((long)(DateTime.UtcNow - stats.Started).TotalSeconds).Append("\r\n\r\n");
        }

        if (Wants("clients"))
        {
            text.Append("# Clients\r\nconnected_clients:").Append(stats.Connected).Append("\r\n")
                .Append("maxclients:").Append(node.Options.Resp.MaxConnections).Append("\r\n\r\n");
        }

        var groups = node.Groups.ToArray();
        if (Wants("stats"))
        {
            long Sum(Func<Node.GroupStats, long> counter) => groups.Sum(g => counter(g.Stats));
            text.Append("# Stats\r\n")
                .Append("total_connections_received:").Append(stats.ConnectionsReceived).Append("\r\n")
                .Append("total_commands_processed:").Append(stats.CommandsProcessed).Append("\r\n")
                .Append("rejected_connections:").Append(stats.RejectedConnections).Append("\r\n")
                .Append("keyspace_hits:").Append(Sum(s => Interlocked.Read(ref s.CacheHits) + Interlocked.Read(ref s.HotHits))).Append("\r\n")
                .Append("keyspace_misses:").Append(Sum(s => Interlocked.Read(ref s.Misses))).Append("\r\n")
                .Append("evicted_keys:").Append(groups.Sum(g => g.Main.Evictions + g.Hot.Evictions)).Append("\r\n\r\n");
        }

        if (Wants("keyspace"))
        {
            text.Append("# Keyspace\r\n");
            var keys = groups.Sum(g => g.Main.Count);
            if (keys > 0)
            {
                text.Append("db0:keys=").Append(keys).Append(",expires=0,avg_ttl=0\r\n");
            }

            text.Append("\r\n");
        }

        RespWriter.Bulk(output, text.ToString().TrimEnd() + "\r\n");
        return ValueTask.CompletedTask;
    }

    /// <summary>DBSIZE: the keys this node holds as their owner, over all groups. Like a Redis Cluster node's DBSIZE,
    /// it counts this node's share, not the cluster's.</summary>
    public ValueTask DbSize(RespRequest request, RespSession session, PipeWriter output)
    {
        RespWriter.Integer(output, node.Groups.Sum(g => g.Main.Count));
        return ValueTask.CompletedTask;
    }

    /// <summary>COMMAND, COMMAND COUNT | LIST | INFO name… | DOCS [name…] (no documentation: an empty map).</summary>
    public ValueTask Command(RespRequest request, RespSession session, PipeWriter output)
    {
        if (request.Count == 1)
        {
            RespWriter.Array(output, RespCommandTable.All.Length);
            foreach (var command in RespCommandTable.All)
            {
                WriteCommandInfo(output, command);
            }
        }
        else if (request.Is(1, "COUNT"u8))
        {
            RespWriter.Integer(output, RespCommandTable.All.Length);
        }
        else if (request.Is(1, "LIST"u8))
        {
            RespWriter.Array(output, RespCommandTable.All.Length);
            foreach (var command in RespCommandTable.All)
            {
                RespWriter.Bulk(output, command.Name);
            }
        }
        else if (request.Is(1, "INFO"u8))
        {
            RespWriter.Array(output, request.Count - 2);
            for (var i = 2; i < request.Count; i++)
            {
                if (RespCommandTable.TryFind(request[i], out var command))
                {
                    WriteCommandInfo(output, command!);
                }
                else
                {
                    RespWriter.Null(output, session.Protocol);
                }
            }
        }
        else if (request.Is(1, "DOCS"u8))
        {
            RespWriter.Map(output, 0, session.Protocol);
        }
        else
        {
            throw new RespSyntaxException($"ERR unknown subcommand '{request.Text(1)}'. Try COMMAND HELP.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>CONFIG GET pattern…: the parameters clients and tools read (redis-benchmark reads save and appendonly).
    /// CONFIG SET is refused: the CacheGroup is the configuration.</summary>
    public ValueTask Config(RespRequest request, RespSession session, PipeWriter output)
    {
        if (!request.Is(1, "GET"u8) || request.Count < 3)
        {
            throw new RespSyntaxException(request.Is(1, "SET"u8)
                ? "ERR CONFIG SET is not supported: K8sCache takes its configuration from the CacheGroup (or its configuration file)"
                : $"ERR unknown subcommand or wrong number of arguments for '{request.Text(1)}'. Try CONFIG HELP.");
        }

        var parameters = new (string Name, string Value)[]
        {
            ("appendonly", "no"),
            ("databases", "1"),
            ("maxclients", node.Options.Resp.MaxConnections.ToString(CultureInfo.InvariantCulture)),
            ("maxmemory", node.Groups.Sum(g => g.Options.MaxBytes).ToString(CultureInfo.InvariantCulture)),
            ("maxmemory-policy", "allkeys-lru"),
            ("proto-max-bulk-len", node.Options.Resp.MaxRequestBytes.ToString(CultureInfo.InvariantCulture)),
            ("save", string.Empty),
            ("timeout", "0"),
        };
        var matched = parameters.Where(p => Enumerable.Range(2, request.Count - 2).Any(i => GlobMatches(request.Text(i).ToLowerInvariant(), p.Name))).ToArray();
        RespWriter.Map(output, matched.Length, session.Protocol);
        foreach (var (name, value) in matched)
        {
            RespWriter.Bulk(output, name);
            RespWriter.Bulk(output, value);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask Quit(RespRequest request, RespSession session, PipeWriter output)
    {
        RespWriter.Simple(output, "OK"u8);
        session.Closing = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>RESET: back to a new connection's state (RESP2, no name, not authenticated when a password is set).</summary>
    public ValueTask Reset(RespRequest request, RespSession session, PipeWriter output)
    {
        session.Protocol = 2;
        session.Name = session.LibraryName = session.LibraryVersion = null;
        session.Authenticated = !PasswordRequired;
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

    private static void WriteCommandInfo(PipeWriter output, RespCommandInfo command)
    {
        RespWriter.Array(output, 10);
        RespWriter.Bulk(output, command.Name);
        RespWriter.Integer(output, command.Arity);
        RespWriter.Array(output, command.Flags.Length);
        foreach (var flag in command.Flags)
        {
            RespWriter.Simple(output, Encoding.ASCII.GetBytes(flag));
        }

        RespWriter.Integer(output, command.FirstKey);
        RespWriter.Integer(output, command.LastKey);
        RespWriter.Integer(output, command.Step);
        for (var i = 0; i < 4; i++)
        {
            RespWriter.Array(output, 0);
        }
    }

    /// <summary>Redis's glob for CONFIG GET: <c>*</c> any run, <c>?</c> any one character. A pattern longer than any
    /// parameter name could match is not tried, which also bounds the recursion.</summary>
    private static bool GlobMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        if (pattern.Length > 64)
        {
            return false;
        }

        if (pattern.IsEmpty)
        {
            return text.IsEmpty;
        }

        return pattern[0] switch
        {
            '*' => GlobMatches(pattern[1..], text) || (!text.IsEmpty && GlobMatches(pattern, text[1..])),
            '?' => !text.IsEmpty && GlobMatches(pattern[1..], text[1..]),
            var c => !text.IsEmpty && text[0] == c && GlobMatches(pattern[1..], text[1..]),
        };
    }
}
