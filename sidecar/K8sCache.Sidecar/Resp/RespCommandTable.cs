using System.Collections.Frozen;

namespace K8sCache.Sidecar.Resp;

/// <summary>Every command the endpoint serves, found by name in any letter case without allocating.</summary>
internal static class RespCommandTable
{
    public static readonly RespCommandInfo[] All =
    [
        new("get", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.GetAsync(r, s, w)),
        new("set", -3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.SetAsync(r, s, w)),
        new("getex", -2, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.GetExAsync(r, s, w)),
        new("del", -2, ["write"], 1, -1, 1, static (c, r, s, w) => c.DeleteAsync(r, s, w)),
        new("unlink", -2, ["write", "fast"], 1, -1, 1, static (c, r, s, w) => c.DeleteAsync(r, s, w)),
        new("exists", -2, ["readonly", "fast"], 1, -1, 1, static (c, r, s, w) => c.ExistsAsync(r, s, w)),
        new("expire", -3, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.ExpireAsync(r, s, w, 1000, absolute: false)),
        new("pexpire", -3, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.ExpireAsync(r, s, w, 1, absolute: false)),
        new("expireat", -3, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.ExpireAsync(r, s, w, 1000, absolute: true)),
        new("pexpireat", -3, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.ExpireAsync(r, s, w, 1, absolute: true)),
        new("ttl", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.TtlAsync(r, s, w, 1000)),
        new("pttl", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.TtlAsync(r, s, w, 1)),
        new("persist", 2, ["write", "fast"], 1, 1, 1, static (c, r, s, w) => c.PersistAsync(r, s, w)),
        new("mget", -2, ["readonly", "fast"], 1, -1, 1, static (c, r, s, w) => c.MultiGetAsync(r, s, w)),
        new("mset", -3, ["write", "denyoom"], 1, -1, 2, static (c, r, s, w) => c.MultiSetAsync(r, s, w)),
        new("setex", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("psetex", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("setnx", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("getset", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("getdel", 2, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("append", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("strlen", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("getrange", 4, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("substr", 4, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("setrange", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("incr", 2, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("decr", 2, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("incrby", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("decrby", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("incrbyfloat", 3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("type", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hset", -4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hmset", -4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hsetnx", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hget", 3, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hmget", -3, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hgetall", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hdel", -3, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hexists", 3, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hlen", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hkeys", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hvals", 2, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hincrby", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hincrbyfloat", 4, ["write", "denyoom"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("hstrlen", 3, ["readonly", "fast"], 1, 1, 1, static (c, r, s, w) => c.RunOnOwnerAsync(r, s, w)),
        new("multi", 1, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Multi(r, s, w)),
        new("exec", 1, [], 0, 0, 0, static (c, r, s, w) => c.ExecAsync(r, s, w)),
        new("discard", 1, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Discard(r, s, w)),
        new("watch", -2, ["fast"], 1, -1, 1, static (c, r, s, w) => c.WatchAsync(r, s, w)),
        new("unwatch", 1, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Unwatch(r, s, w)),
        new("scan", -2, ["readonly"], 0, 0, 0, static (c, r, s, w) => c.ScanAsync(r, s, w)),
        new("keys", 2, ["readonly"], 0, 0, 0, static (c, r, s, w) => c.KeysAsync(r, s, w)),
        new("subscribe", -2, ["pubsub", "noscript", "loading", "stale"], 0, 0, 0, static (c, r, s, w) => c.Subscribe(r, s, w)),
        new("unsubscribe", -1, ["pubsub", "noscript", "loading", "stale"], 0, 0, 0, static (c, r, s, w) => c.Unsubscribe(r, s, w)),
        new("psubscribe", -2, ["pubsub", "noscript", "loading", "stale"], 0, 0, 0, static (c, r, s, w) => c.PatternSubscribe(r, s, w)),
        new("punsubscribe", -1, ["pubsub", "noscript", "loading", "stale"], 0, 0, 0, static (c, r, s, w) => c.PatternUnsubscribe(r, s, w)),
        new("publish", 3, ["pubsub", "loading", "stale", "fast"], 0, 0, 0, static (c, r, s, w) => c.Publish(r, s, w)),
        new("pubsub", -2, ["pubsub", "loading", "stale"], 0, 0, 0, static (c, r, s, w) => c.PubSub(r, s, w)),
        new("ping", -1, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Ping(r, s, w)),
        new("echo", 2, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Echo(r, s, w)),
        new("hello", -1, ["no-auth", "fast"], 0, 0, 0, static (c, r, s, w) => c.Hello(r, s, w)),
        new("auth", -2, ["no-auth", "fast"], 0, 0, 0, static (c, r, s, w) => c.Auth(r, s, w)),
        new("client", -2, ["no-auth"], 0, 0, 0, static (c, r, s, w) => c.Client(r, s, w)),
        new("select", 2, ["fast"], 0, 0, 0, static (c, r, s, w) => c.Select(r, s, w)),
        new("info", -1, [], 0, 0, 0, static (c, r, s, w) => c.Info(r, s, w)),
        new("dbsize", 1, ["readonly", "fast"], 0, 0, 0, static (c, r, s, w) => c.DbSize(r, s, w)),
        new("command", -1, [], 0, 0, 0, static (c, r, s, w) => c.Command(r, s, w)),
        new("config", -2, [], 0, 0, 0, static (c, r, s, w) => c.Config(r, s, w)),
        new("quit", -1, ["no-auth", "fast"], 0, 0, 0, static (c, r, s, w) => c.Quit(r, s, w)),
        new("reset", 1, ["no-auth", "fast"], 0, 0, 0, static (c, r, s, w) => c.Reset(r, s, w)),
    ];

    /// <summary>Looked up by the name's characters, no string made. Obtained once: getting the lookup checks the
    /// comparer's interfaces, which cost more than the lookup itself, on every command.</summary>
    private static readonly FrozenDictionary<string, RespCommandInfo>.AlternateLookup<ReadOnlySpan<char>> ByName =
        All.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Longest command name: anything longer is unknown without looking.</summary>
    private static readonly int LongestName = All.Max(c => c.Name.Length);

    public static bool TryFind(ReadOnlySpan<byte> name, out RespCommandInfo? command)
    {
        command = null;
        if (name.Length > LongestName || !System.Text.Ascii.IsValid(name))
        {
            return false;
        }

        Span<char> chars = stackalloc char[name.Length];
        System.Text.Ascii.ToUtf16(name, chars, out _);
        return ByName.TryGetValue(chars, out command);
    }
}
