using System.Buffers;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>The key commands inside a transaction, and the endpoint's own steps: a WATCH's digest and a SCAN step.</summary>
internal static partial class RespOwnerCommands
{
    public static void Delete(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var removed = 0;
        for (var i = 1; i < request.Count; i++)
        {
            removed += entries.Remove(Key(request, i, entries)) ? 1 : 0;
        }

        RespWriter.Integer(output, removed);
    }

    public static void Exists(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var found = 0;
        for (var i = 1; i < request.Count; i++)
        {
            found += entries.TryGet(Key(request, i, entries), out _) ? 1 : 0;
        }

        RespWriter.Integer(output, found);
    }

    /// <summary>EXPIRE and its forms; the conditions NX, XX, GT and LT as the endpoint's EXPIRE takes them
    /// (<see cref="ExpireConditions"/>).</summary>
    public static void Expire(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, long unitMs, bool absolute)
    {
        var key = Key(request, 1, entries);
        var time = RespArguments.Integer(request, 2);
        var condition = RespArguments.ExpireOption(request, 3);
        var ttlMs = RespArguments.TtlFrom(time, unitMs, absolute, request.Text(0).ToLowerInvariant());
        if (!entries.TryGet(key, out var held))
        {
            RespWriter.Integer(output, 0);
            return;
        }

        // A time already past deletes the key, if the condition allows the change to that time.
        var next = ttlMs <= 0 ? entries.NowMs : entries.NowMs + entries.Validator.ClampTtlMs(ttlMs);
        var applies = ExpireConditions.Allows(condition, held.ExpiresAtMs, next);
        if (applies && ttlMs <= 0)
        {
            entries.Remove(key);
        }
        else if (applies)
        {
            entries.Set(key, held.Value, next, held.Kind);
        }

        RespWriter.Integer(output, applies ? 1 : 0);
    }

    public static void TimeToLive(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, long unitMs)
    {
        var found = entries.TryGet(Key(request, 1, entries), out var held);
        var remaining = held.RemainingMs(entries.NowMs);
        RespWriter.Integer(output, !found ? -2 : remaining == 0 ? -1 : (remaining + unitMs / 2) / unitMs);
    }

    public static void Persist(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var applies = entries.TryGet(key, out var held) && held.ExpiresAtMs != 0;
        if (applies)
        {
            entries.Set(key, held.Value, 0, held.Kind);
        }

        RespWriter.Integer(output, applies ? 1 : 0);
    }

    public static void Type(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol) =>
        RespWriter.Simple(output, !entries.TryGet(Key(request, 1, entries), out var held) ? "none"u8 : TypeName(held.Kind));

    public static ReadOnlySpan<byte> TypeName(ValueKind kind) => kind == ValueKind.Hash ? "hash"u8 : "string"u8;

    /// <summary>K8SCACHE.DIGEST key: what WATCH remembers of a key — a hash of its kind, lifetime and value, or "-" when
    /// it is missing — as a one-element array. Any write that changes the key changes it.</summary>
    public static void WriteDigest(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        RespWriter.Array(output, 1);
        RespWriter.Bulk(output, DigestOf(entries, Key(request, 1, entries)));
    }

    public static string DigestOf(AtomicEntries entries, string key)
    {
        if (!entries.TryGet(key, out var held))
        {
            return "-";
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(int)held.Kind}:{held.ExpiresAtMs}:{KeyHash.Hash(held.Value):X16}");
    }

    /// <summary>K8SCACHE.SCAN cursor count: a step of this node's walk over the keys it owns (<see cref="ICacheStore.Scan"/>),
    /// answered as one array: the next cursor, then each key and its type.</summary>
    public static void ScanStep(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var cursor = (ulong)RespArguments.Integer(request, 1);
        var count = (int)Math.Clamp(RespArguments.Integer(request, 2), 1, 100_000);
        var keys = new List<(string Key, ValueKind Kind)>();
        var next = entries.Scan(cursor, count, keys);
        RespWriter.Array(output, 1 + 2 * keys.Count);
        RespWriter.Bulk(output, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, kind) in keys)
        {
            RespWriter.Bulk(output, key);
            RespWriter.Bulk(output, TypeName(kind));
        }
    }
}
