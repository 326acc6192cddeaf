using System.Buffers;
using System.Globalization;
using System.Text;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>The hash commands. A hash is one value (<see cref="RespHash"/>) owned and expired as a whole, bounded by
/// MaxValueBytes like any value; removing its last field removes the key, as in Redis.</summary>
internal static partial class RespOwnerCommands
{
    public static void HashSet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, bool countAdded)
    {
        if (request.Count % 2 != 0)
        {
            throw new RespSyntaxException($"ERR wrong number of arguments for '{request.Text(0).ToLowerInvariant()}' command");
        }

        var key = Key(request, 1, entries);
        var hash = ReadHash(entries, key, out var expiry) ?? new RespHash();
        var added = 0;
        for (var i = 2; i < request.Count; i += 2)
        {
            added += hash.Set(RespHash.FieldName(request[i]), request.Bytes(i + 1)) ? 1 : 0;
        }

        entries.Set(key, hash.Encode(), expiry, ValueKind.Hash);
        if (countAdded)
        {
            RespWriter.Integer(output, added);
        }
        else
        {
            RespWriter.Simple(output, "OK"u8);
        }
    }

    public static void HashSetIfAbsent(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var hash = ReadHash(entries, key, out var expiry) ?? new RespHash();
        var field = RespHash.FieldName(request[2]);
        var absent = !hash.TryGet(field, out _);
        if (absent)
        {
            hash.Set(field, request.Bytes(3));
            entries.Set(key, hash.Encode(), expiry, ValueKind.Hash);
        }

        RespWriter.Integer(output, absent ? 1 : 0);
    }

    public static void HashGet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _);
        WriteString(output, hash is not null && hash.TryGet(RespHash.FieldName(request[2]), out var value) ? value : null, protocol);
    }

    public static void HashMultiGet(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _);
        RespWriter.Array(output, request.Count - 2);
        for (var i = 2; i < request.Count; i++)
        {
            WriteString(output, hash is not null && hash.TryGet(RespHash.FieldName(request[i]), out var value) ? value : null, protocol);
        }
    }

    public static void HashGetAll(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _) ?? new RespHash();
        RespWriter.Map(output, hash.Count, protocol);
        foreach (var (field, value) in hash.Fields)
        {
            RespWriter.Bulk(output, RespHash.FieldBytes(field));
            RespWriter.Bulk(output, value);
        }
    }

    public static void HashDelete(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var hash = ReadHash(entries, key, out var expiry);
        var removed = 0;
        for (var i = 2; hash is not null && i < request.Count; i++)
        {
            removed += hash.Remove(RespHash.FieldName(request[i])) ? 1 : 0;
        }

        if (hash is not null && removed > 0)
        {
            Store(entries, key, hash, expiry);
        }

        RespWriter.Integer(output, removed);
    }

    public static void HashExists(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _);
        RespWriter.Integer(output, hash is not null && hash.TryGet(RespHash.FieldName(request[2]), out _) ? 1 : 0);
    }

    public static void HashLength(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol) =>
        RespWriter.Integer(output, ReadHash(entries, Key(request, 1, entries), out _)?.Count ?? 0);

    public static void HashList(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, bool fields)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _) ?? new RespHash();
        RespWriter.Array(output, hash.Count);
        foreach (var (field, value) in hash.Fields)
        {
            RespWriter.Bulk(output, fields ? RespHash.FieldBytes(field) : value);
        }
    }

    public static void HashStringLength(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var hash = ReadHash(entries, Key(request, 1, entries), out _);
        RespWriter.Integer(output, hash is not null && hash.TryGet(RespHash.FieldName(request[2]), out var value) ? value.Length : 0);
    }

    public static void HashIncrementBy(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var increment = RespArguments.Integer(request, 3);
        var hash = ReadHash(entries, key, out var expiry) ?? new RespHash();
        var field = RespHash.FieldName(request[2]);
        var current = hash.TryGet(field, out var held) ? ParseInteger(held, "ERR hash value is not an integer") : 0;
        var next = Add(current, increment);
        hash.Set(field, Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture)));
        entries.Set(key, hash.Encode(), expiry, ValueKind.Hash);
        RespWriter.Integer(output, next);
    }

    public static void HashIncrementByFloat(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var increment = RespArguments.Float(request, 3);
        var hash = ReadHash(entries, key, out var expiry) ?? new RespHash();
        var field = RespHash.FieldName(request[2]);
        var text = FormatFloat((hash.TryGet(field, out var held) ? ParseFloat(held) : 0) + increment);
        hash.Set(field, Encoding.ASCII.GetBytes(text));
        entries.Set(key, hash.Encode(), expiry, ValueKind.Hash);
        RespWriter.Bulk(output, text);
    }

    /// <summary>The hash the key holds (null: none) and the expiry a changed hash keeps (a new one: the group's).</summary>
    private static RespHash? ReadHash(AtomicEntries entries, string key, out long expiresAtMs)
    {
        if (!entries.TryGet(key, out var held))
        {
            expiresAtMs = entries.DefaultExpiry();
            return null;
        }

        expiresAtMs = held.ExpiresAtMs;
        return held.Kind == ValueKind.Hash ? RespHash.Decode(held.Value) : throw InputException.WrongType();
    }

    private static void Store(AtomicEntries entries, string key, RespHash hash, long expiresAtMs)
    {
        if (hash.Count == 0)
        {
            entries.Remove(key);
        }
        else
        {
            entries.Set(key, hash.Encode(), expiresAtMs, ValueKind.Hash);
        }
    }
}
