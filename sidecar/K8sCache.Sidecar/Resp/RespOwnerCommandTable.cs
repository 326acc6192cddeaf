using System.Collections.Frozen;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// The commands an atomic program may hold: every key command whose keys one owner holds, and the endpoint's own
/// steps (<c>K8SCACHE.*</c>: a WATCH's digest, the check of it at EXEC, a SCAN step). Found by name in any case.
/// </summary>
internal static class RespOwnerCommandTable
{
    public const string Digest = "k8scache.digest";
    public const string Watched = "k8scache.watched";
    public const string ScanStep = "k8scache.scan";

    private static readonly RespOwnerCommand[] All =
    [
        new("get", 2, 1, 1, 1, RespOwnerCommands.Get),
        new("set", -3, 1, 1, 1, RespOwnerCommands.Set),
        new("setex", 4, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.SetWithLifetime(r, e, o, 1000, "setex")),
        new("psetex", 4, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.SetWithLifetime(r, e, o, 1, "psetex")),
        new("setnx", 3, 1, 1, 1, RespOwnerCommands.SetIfAbsent),
        new("getset", 3, 1, 1, 1, RespOwnerCommands.GetSet),
        new("getdel", 2, 1, 1, 1, RespOwnerCommands.GetDelete),
        new("append", 3, 1, 1, 1, RespOwnerCommands.Append),
        new("strlen", 2, 1, 1, 1, RespOwnerCommands.StringLength),
        new("getrange", 4, 1, 1, 1, RespOwnerCommands.GetRange),
        new("substr", 4, 1, 1, 1, RespOwnerCommands.GetRange),
        new("setrange", 4, 1, 1, 1, RespOwnerCommands.SetRange),
        new("mget", -2, 1, -1, 1, RespOwnerCommands.MultiGet),
        new("mset", -3, 1, -1, 2, RespOwnerCommands.MultiSet),
        new("incr", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.IncrementBy(r, e, o, 1)),
        new("decr", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.IncrementBy(r, e, o, -1)),
        new("incrby", 3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.IncrementBy(r, e, o, RespArguments.Integer(r, 2))),
        new("decrby", 3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.IncrementBy(r, e, o, Negated(RespArguments.Integer(r, 2)))),
        new("incrbyfloat", 3, 1, 1, 1, RespOwnerCommands.IncrementByFloat),
        new("del", -2, 1, -1, 1, RespOwnerCommands.Delete),
        new("unlink", -2, 1, -1, 1, RespOwnerCommands.Delete),
        new("exists", -2, 1, -1, 1, RespOwnerCommands.Exists),
        new("expire", -3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.Expire(r, e, o, 1000, absolute: false)),
        new("pexpire", -3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.Expire(r, e, o, 1, absolute: false)),
        new("expireat", -3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.Expire(r, e, o, 1000, absolute: true)),
        new("pexpireat", -3, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.Expire(r, e, o, 1, absolute: true)),
        new("ttl", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.TimeToLive(r, e, o, 1000)),
        new("pttl", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.TimeToLive(r, e, o, 1)),
        new("persist", 2, 1, 1, 1, RespOwnerCommands.Persist),
        new("type", 2, 1, 1, 1, RespOwnerCommands.Type),
        new("hset", -4, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.HashSet(r, e, o, countAdded: true)),
        new("hmset", -4, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.HashSet(r, e, o, countAdded: false)),
        new("hsetnx", 4, 1, 1, 1, RespOwnerCommands.HashSetIfAbsent),
        new("hget", 3, 1, 1, 1, RespOwnerCommands.HashGet),
        new("hmget", -3, 1, 1, 1, RespOwnerCommands.HashMultiGet),
        new("hgetall", 2, 1, 1, 1, RespOwnerCommands.HashGetAll),
        new("hdel", -3, 1, 1, 1, RespOwnerCommands.HashDelete),
        new("hexists", 3, 1, 1, 1, RespOwnerCommands.HashExists),
        new("hlen", 2, 1, 1, 1, RespOwnerCommands.HashLength),
        new("hkeys", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.HashList(r, e, o, fields: true)),
        new("hvals", 2, 1, 1, 1, (r, e, o, p) => RespOwnerCommands.HashList(r, e, o, fields: false)),
        new("hincrby", 4, 1, 1, 1, RespOwnerCommands.HashIncrementBy),
        new("hincrbyfloat", 4, 1, 1, 1, RespOwnerCommands.HashIncrementByFloat),
        new("hstrlen", 3, 1, 1, 1, RespOwnerCommands.HashStringLength),
        new(Digest, 2, 1, 1, 1, RespOwnerCommands.WriteDigest),
        new(Watched, 3, 1, 1, 1, static (_, _, _, _) => { }),
        new(ScanStep, 3, 0, 0, 0, RespOwnerCommands.ScanStep),
    ];

    private static readonly FrozenDictionary<string, RespOwnerCommand> ByName = All.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    public static bool TryFind(ReadOnlySpan<byte> name, out RespOwnerCommand? command)
    {
        command = null;
        return System.Text.Ascii.IsValid(name) && ByName.TryGetValue(System.Text.Encoding.ASCII.GetString(name), out command);
    }

    private static long Negated(long value) => value == long.MinValue ? throw new RespSyntaxException("ERR decrement would overflow") : -value;
}
