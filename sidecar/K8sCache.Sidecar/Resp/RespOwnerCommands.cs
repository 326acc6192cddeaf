using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// The string commands as the owner runs them inside an atomic program, with Redis's semantics over the locked
/// entries (counters in <c>RespOwnerCommands.Counters.cs</c>, hashes in <c>.Hashes.cs</c>, key commands in
/// <c>.Keys.cs</c>). No command here loads: a key the owner does not hold is missing. A key a command creates gets the
/// group's TTL; a key it changes keeps its lifetime, except where Redis's command sets one.
/// </summary>
internal static partial class RespOwnerCommands
{
    public static void Get(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol) =>
        WriteString(output, ReadString(entries, Key(request, 1, entries), out _), protocol);

    public static void Set(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var options = RespSetOptions.Parse(request, 3, entries.Validator);
        var found = entries.TryGet(key, out var held);
        if (options.ReturnPrevious && found && held.Kind != ValueKind.String)
        {
            throw InputException.WrongType();
        }

        var applied = options.Condition switch
        {
            SetCondition.IfAbsent => !found,
            SetCondition.IfPresent => found,
            _ => true,
        };
        if (applied)
        {
            var expiry = options.KeepTtl && found ? held.ExpiresAtMs : options.TtlMs is { } ms ? entries.NowMs + ms : entries.DefaultExpiry();
            entries.Set(key, request.Bytes(2), expiry);
        }

        if (options.ReturnPrevious)
        {
            WriteString(output, found ? held.Value : null, protocol);
        }
        else if (applied)
        {
            RespWriter.Simple(output, "OK"u8);
        }
        else
        {
            RespWriter.Null(output, protocol);
        }
    }

    /// <summary>SETEX and PSETEX: SET with a lifetime, which must be positive.</summary>
    public static void SetWithLifetime(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, long unitMs, string command)
    {
        var key = Key(request, 1, entries);
        var time = RespArguments.Integer(request, 2);
        if (time <= 0)
        {
            throw new RespSyntaxException($"ERR invalid expire time in '{command}' command");
        }

        var ttlMs = entries.Validator.ClampTtlMs(RespArguments.TtlFrom(time, unitMs, absolute: false, command));
        entries.Set(key, request.Bytes(3), entries.NowMs + ttlMs);
        RespWriter.Simple(output, "OK"u8);
    }

    public static void SetIfAbsent(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var absent = !entries.TryGet(key, out _);
        if (absent)
        {
            entries.Set(key, request.Bytes(2), entries.DefaultExpiry());
        }

        RespWriter.Integer(output, absent ? 1 : 0);
    }

    public static void GetSet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var previous = ReadString(entries, key, out _);
        entries.Set(key, request.Bytes(2), entries.DefaultExpiry());
        WriteString(output, previous, protocol);
    }

    public static void GetDelete(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var previous = ReadString(entries, key, out _);
        if (previous is not null)
        {
            entries.Remove(key);
        }

        WriteString(output, previous, protocol);
    }

    public static void Append(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var held = ReadString(entries, key, out var expiry) ?? [];
        entries.Validator.ValidateValue((long)held.Length + request[2].Length);
        var value = new byte[held.Length + request[2].Length];
        held.CopyTo(value, 0);
        request[2].CopyTo(value.AsSpan(held.Length));
        entries.Set(key, value, expiry);
        RespWriter.Integer(output, value.Length);
    }

    public static void StringLength(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol) =>
        RespWriter.Integer(output, ReadString(entries, Key(request, 1, entries), out _)?.Length ?? 0);

    /// <summary>GETRANGE key start end: inclusive offsets, negative ones from the end, clamped to the value.</summary>
    public static void GetRange(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var (start, end) = (RespArguments.Integer(request, 2), RespArguments.Integer(request, 3));
        var value = ReadString(entries, Key(request, 1, entries), out _) ?? [];
        var length = value.Length;
        if (start < 0 && end < 0 && start > end || length == 0)
        {
            RespWriter.Bulk(output, ReadOnlySpan<byte>.Empty);
            return;
        }

        start = start < 0 ? Math.Max(0, length + start) : start;
        end = end < 0 ? Math.Max(0, length + end) : Math.Min(end, length - 1);
        RespWriter.Bulk(output, start > end ? ReadOnlySpan<byte>.Empty : value.AsSpan((int)start, (int)(end - start + 1)));
    }

    /// <summary>SETRANGE key offset value: overwrites from the offset, padding with zero bytes; returns the length.</summary>
    public static void SetRange(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var offset = RespArguments.Integer(request, 2);
        if (offset < 0 || offset > int.MaxValue)
        {
            throw new RespSyntaxException("ERR offset is out of range");
        }

        var held = ReadString(entries, key, out var expiry);
        var patch = request[3];
        if (patch.IsEmpty)
        {
            RespWriter.Integer(output, held?.Length ?? 0);
            return;
        }

        entries.Validator.ValidateValue(Math.Max(held?.Length ?? 0, offset + patch.Length));
        var value = new byte[Math.Max(held?.Length ?? 0, (int)offset + patch.Length)];
        held?.CopyTo(value, 0);
        patch.CopyTo(value.AsSpan((int)offset));
        entries.Set(key, value, expiry);
        RespWriter.Integer(output, value.Length);
    }

    public static void MultiGet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var keys = Enumerable.Range(1, request.Count - 1).Select(i => Key(request, i, entries)).ToList();
        RespWriter.Array(output, keys.Count);
        foreach (var key in keys)
        {
            // MGET answers nil for a key of another kind, as Redis does.
            WriteString(output, entries.TryGet(key, out var held) && held.Kind == ValueKind.String ? held.Value : null, protocol);
        }
    }

    public static void MultiSet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        if (request.Count % 2 != 1)
        {
            throw new RespSyntaxException("ERR wrong number of arguments for 'mset' command");
        }

        // Everything is checked before the first key changes: MSET applies all or nothing.
        for (var i = 1; i < request.Count; i += 2)
        {
            Key(request, i, entries);
            entries.Validator.ValidateValue(request[i + 1].Length);
        }

        for (var i = 1; i < request.Count; i += 2)
        {
            entries.Set(Key(request, i, entries), request.Bytes(i + 1), entries.DefaultExpiry());
        }

        RespWriter.Simple(output, "OK"u8);
    }

    /// <summary>The key at <paramref name="index"/>, checked against the node's limits.</summary>
    private static string Key(RespRequest request, int index, AtomicEntries entries)
    {
        var key = Encoding.UTF8.GetString(request[index]);
        entries.Validator.ValidateKey(key);
        return key;
    }

    /// <summary>The string the key holds (null: none) and the expiry a changed value keeps (a new key: the group's).</summary>
    private static byte[]? ReadString(AtomicEntries entries, string key, out long expiresAtMs)
    {
        if (!entries.TryGet(key, out var held))
        {
            expiresAtMs = entries.DefaultExpiry();
            return null;
        }

        expiresAtMs = held.ExpiresAtMs;
        return held.Kind == ValueKind.String ? held.Value : throw InputException.WrongType();
    }

    private static void WriteString(IBufferWriter<byte> output, byte[]? value, int protocol)
    {
        if (value is null)
        {
            RespWriter.Null(output, protocol);
        }
        else
        {
            RespWriter.Bulk(output, value);
        }
    }
}
