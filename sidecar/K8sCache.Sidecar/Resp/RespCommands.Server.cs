using System.Globalization;
using System.Buffers;
using System.Reflection;
using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Server commands: what client libraries ask when they connect (COMMAND, CONFIG GET) and what operators type (INFO,
/// DBSIZE). The endpoint reports itself as Redis 7.2 in standalone mode, the version whose commands it follows, so
/// clients enable what it serves.
/// </summary>
internal sealed partial class RespCommands
{
    public const string CompatibleRedisVersion = "7.2.0";

    private static readonly string ProductVersion =
        typeof(RespCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>INFO [section …]: server, clients, stats and keyspace (this node's entries).</summary>
    public ValueTask Info(RespRequest request, RespSession session, IBufferWriter<byte> output)
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
                .Append("evicted_keys:").Append(groups.Sum(g => g.Main.Evictions + g.Hot.Evictions)).Append("\r\n")
                .Append("pubsub_channels:").Append(bus.Subscriptions.ChannelCount).Append("\r\n")
                .Append("pubsub_patterns:").Append(bus.Subscriptions.PatternCount()).Append("\r\n\r\n");
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
    public ValueTask DbSize(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RespWriter.Integer(output, node.Groups.Sum(g => g.Main.Count));
        return ValueTask.CompletedTask;
    }

    /// <summary>COMMAND, COMMAND COUNT | LIST | INFO name… | DOCS [name…] (no documentation: an empty map).</summary>
    public ValueTask Command(RespRequest request, RespSession session, IBufferWriter<byte> output)
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
    public ValueTask Config(RespRequest request, RespSession session, IBufferWriter<byte> output)
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

    private static void WriteCommandInfo(IBufferWriter<byte> output, RespCommandInfo command)
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
