using System.Buffers;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// The key commands. Reads go through the group exactly as the HTTP API's (caches, the owner, the loader on a miss);
/// writes go to the key's owner with the consistency guarantees of docs/design.md §4. Where Redis asks whether a key
/// exists (NX, XX, EXISTS, TTL, EXPIRE), "exists" means the owner holds it in its cache; the loader is not asked.
/// </summary>
internal sealed partial class RespCommands
{
    /// <summary>Keys up to this many UTF-8 bytes are decoded on the stack.</summary>
    private const int StackKeyChars = 512;

    /// <summary>GET. A key this node owns and holds is answered without allocating: decoded onto the stack, looked up by
    /// span, the value copied from the store straight into the reply. Anything else takes the group's read path with the key as a string.</summary>
    public ValueTask GetAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var group = RespKeyName.ResolveGroup(node, request[1], node.Options.Resp.DefaultGroup, out var bytes);
        Span<char> chars = bytes.Length <= StackKeyChars ? stackalloc char[bytes.Length] : new char[bytes.Length];
        var key = chars[..System.Text.Encoding.UTF8.GetChars(bytes, chars)];
        node.Validator.ValidateKey(key);
        var hit = new BulkReplyWriter(output);
        if (group.TryReadOwnedHit(key, ref hit))
        {
            return ValueTask.CompletedTask;
        }

        var pending = group.GetAsync(key.ToString(), CancellationToken.None);
        if (pending.IsCompletedSuccessfully)
        {
            WriteValue(output, pending.Result, session);
            return ValueTask.CompletedTask;
        }

        return WriteWhenDoneAsync(pending, output, session);
    }

    /// <summary>SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]. Without a lifetime
    /// the group's default TTL applies (none when the group has none).</summary>
    public async ValueTask SetAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var (group, key) = Resolve(request, 1);
        node.Validator.ValidateValue(request[2].Length);
        var (condition, returnPrevious, keepTtl, ttlMs) = RespSetOptions.Parse(request, 3, node.Validator);
        var value = request.Bytes(2);
        var ttl = ttlMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        var result = await group.SetAsync(key, value, ttl, CancellationToken.None, new SetCommand(condition, keepTtl, returnPrevious));
        if (returnPrevious)
        {
            WriteFound(output, result.PreviousFound, result.Previous, session);
        }
        else if (result.Applied)
        {
            RespWriter.Simple(output, "OK"u8);
        }
        else
        {
            RespWriter.Null(output, session.Protocol);
        }
    }

    /// <summary>GETEX key [EX s | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]: a read-through Get, then the new
    /// lifetime on the owner.</summary>
    public async ValueTask GetExAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var (group, key) = Resolve(request, 1);
        long? ttlMs = null;
        if (request.Count == 3 && request.Is(2, "PERSIST"u8))
        {
            ttlMs = 0;
        }
        else if (request.Count == 4 && RespArguments.TimeOption(request, 2) is { } unit)
        {
            ttlMs = RespArguments.LifetimeMs(request, 3, unit, "getex", node.Validator);
        }
        else if (request.Count != 2)
        {
            throw RespSyntaxException.Syntax();
        }

        var result = await group.GetAsync(key, CancellationToken.None);
        if (result.Found && ttlMs is { } ms)
        {
            await group.ExpireAsync(key, ms, ms == 0 ? ExpireCondition.IfExpiry : ExpireCondition.Always, CancellationToken.None);
        }

        WriteValue(output, result, session);
    }

    public async ValueTask DeleteAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var keys = ResolveAll(request, 1, 1);
        var results = await Task.WhenAll(keys.Select(k => k.Group.DeleteAsync(k.Key, CancellationToken.None)));
        RespWriter.Integer(output, results.Count(r => r.Existed));
    }

    public async ValueTask ExistsAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var keys = ResolveAll(request, 1, 1);
        var results = await Task.WhenAll(keys.Select(k => k.Group.PeekAsync(k.Key, CancellationToken.None)));
        RespWriter.Integer(output, results.Count(r => r.Found));
    }

    /// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT]. A time already past deletes the key,
    /// as in Redis.</summary>
    public async ValueTask ExpireAsync(RespRequest request, RespSession session, IBufferWriter<byte> output, long unitMs, bool absolute)
    {
        var (group, key) = Resolve(request, 1);
        var time = RespArguments.Integer(request, 2);
        var condition = RespArguments.ExpireOption(request, 3);
        var ttlMs = RespArguments.TtlFrom(time, unitMs, absolute, request.Text(0).ToLowerInvariant());
        if (ttlMs <= 0)
        {
            var deleted = await group.DeleteAsync(key, CancellationToken.None);
            RespWriter.Integer(output, deleted.Existed ? 1 : 0);
            return;
        }

        var result = await group.ExpireAsync(key, node.Validator.ClampTtlMs(ttlMs), condition, CancellationToken.None);
        RespWriter.Integer(output, result.Existed ? 1 : 0);
    }

    /// <summary>TTL and PTTL: -2 when the owner does not hold the key, -1 when it never expires.</summary>
    public async ValueTask TtlAsync(RespRequest request, RespSession session, IBufferWriter<byte> output, long unitMs)
    {
        var (group, key) = Resolve(request, 1);
        var result = await group.PeekAsync(key, CancellationToken.None);
        RespWriter.Integer(output, !result.Found ? -2 : result.RemainingMs == 0 ? -1 : (result.RemainingMs + unitMs / 2) / unitMs);
    }

    public async ValueTask PersistAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var (group, key) = Resolve(request, 1);
        var result = await group.ExpireAsync(key, 0, ExpireCondition.IfExpiry, CancellationToken.None);
        RespWriter.Integer(output, result.Existed ? 1 : 0);
    }

    /// <summary>MGET: every key at once, the misses of each owner in one peer call (<see cref="Group.GetMany"/>), the
    /// answers in the order of the keys.</summary>
    public async ValueTask MultiGetAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var keys = ResolveAll(request, 1, 1);
        var pending = new Task<GetResult>[keys.Length];
        foreach (var group in keys.Select(k => k.Group).Distinct())
        {
            var positions = Enumerable.Range(0, keys.Length).Where(i => keys[i].Group == group).ToArray();
            var gets = group.GetMany(positions.Select(i => keys[i].Key).ToArray(), CancellationToken.None);
            for (var i = 0; i < positions.Length; i++)
            {
                pending[positions[i]] = gets[i];
            }
        }

        var results = await Task.WhenAll(pending);
        RespWriter.Array(output, results.Length);
        foreach (var result in results)
        {
            WriteValue(output, result, session);
        }
    }

    /// <summary>MSET: every pair sent to its own owner at once. Not atomic across owners: when one owner fails, the
    /// error names it and the other pairs may be stored.</summary>
    public async ValueTask MultiSetAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (request.Count % 2 != 1)
        {
            throw new RespSyntaxException("ERR wrong number of arguments for 'mset' command");
        }

        var keys = ResolveAll(request, 1, 2);
        var writes = new Task<SetResult>[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var value = request[2 + 2 * i];
            node.Validator.ValidateValue(value.Length);
            writes[i] = keys[i].Group.SetAsync(keys[i].Key, value.ToArray(), null, CancellationToken.None);
        }

        await Task.WhenAll(writes);
        RespWriter.Simple(output, "OK"u8);
    }

    private (Group Group, string Key) Resolve(RespRequest request, int index) =>
        RespKeyName.Resolve(node, request[index], node.Options.Resp.DefaultGroup);

    private (Group Group, string Key)[] ResolveAll(RespRequest request, int first, int step)
    {
        var count = (request.Count - first + step - 1) / step;
        node.Validator.ValidateBatch(count);
        var keys = new (Group, string)[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = Resolve(request, first + i * step);
        }

        return keys;
    }

    private static async ValueTask WriteWhenDoneAsync(ValueTask<GetResult> pending, IBufferWriter<byte> output, RespSession session) =>
        WriteValue(output, await pending, session);

    private static void WriteValue(IBufferWriter<byte> output, GetResult result, RespSession session) =>
        WriteFound(output, result.Found, result.Value, session);

    private static void WriteFound(IBufferWriter<byte> output, bool found, byte[] value, RespSession session)
    {
        if (found)
        {
            RespWriter.Bulk(output, value);
        }
        else
        {
            RespWriter.Null(output, session.Protocol);
        }
    }
}
