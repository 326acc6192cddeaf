using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// A Redis hash as one cache value: its fields in insertion order, each a length-prefixed field name then a
/// length-prefixed value (7-bit varint lengths). Field names are any bytes; in memory they are Latin-1 strings, which
/// map each byte to one char and back without loss, so a dictionary can find them.
/// </summary>
internal sealed class RespHash
{
    private readonly Dictionary<string, byte[]> _fields = new(StringComparer.Ordinal);

    public int Count => _fields.Count;

    public IEnumerable<KeyValuePair<string, byte[]>> Fields => _fields;

    public static RespHash Decode(ReadOnlySpan<byte> bytes)
    {
        var hash = new RespHash();
        while (!bytes.IsEmpty)
        {
            var field = Read(ref bytes);
            hash._fields[Encoding.Latin1.GetString(field)] = Read(ref bytes).ToArray();
        }

        return hash;
    }

    public static string FieldName(ReadOnlySpan<byte> field) => Encoding.Latin1.GetString(field);

    public static byte[] FieldBytes(string field) => Encoding.Latin1.GetBytes(field);

    public bool TryGet(string field, out byte[] value) => _fields.TryGetValue(field, out value!);

    /// <summary>True when the field is new.</summary>
    public bool Set(string field, byte[] value)
    {
        var added = !_fields.ContainsKey(field);
        _fields[field] = value;
        return added;
    }

    public bool Remove(string field) => _fields.Remove(field);

    public byte[] Encode()
    {
        var length = 0;
        foreach (var (field, value) in _fields)
        {
            length += VarintBytes(field.Length) + field.Length + VarintBytes(value.Length) + value.Length;
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        foreach (var (field, value) in _fields)
        {
            Write(ref span, field.Length);
            Encoding.Latin1.GetBytes(field, span);
            span = span[field.Length..];
            Write(ref span, value.Length);
            value.CopyTo(span);
            span = span[value.Length..];
        }

        return bytes;
    }

    private static ReadOnlySpan<byte> Read(ref ReadOnlySpan<byte> bytes)
    {
        var (length, shift) = (0, 0);
        byte b;
        do
        {
            b = bytes[0];
            bytes = bytes[1..];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);

        var read = bytes[..length];
        bytes = bytes[length..];
        return read;
    }

    private static void Write(ref Span<byte> span, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[0] = (byte)(v | 0x80);
            span = span[1..];
            v >>= 7;
        }

        span[0] = (byte)v;
        span = span[1..];
    }

    private static int VarintBytes(int value) => value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;
}
