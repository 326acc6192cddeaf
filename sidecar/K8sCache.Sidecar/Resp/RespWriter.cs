using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>Writes replies in RESP2 or RESP3 (the session's protocol decides how a null and a map look).</summary>
internal static class RespWriter
{
    public static void Simple(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var span = output.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        "\r\n"u8.CopyTo(span[(1 + text.Length)..]);
        output.Advance(text.Length + 3);
    }

    /// <summary>An error reply; <paramref name="message"/> starts with its code (ERR, WRONGPASS, NOAUTH…). Line breaks
    /// in it would end the reply early, so they become spaces.</summary>
    public static void Error(IBufferWriter<byte> output, string message)
    {
        var text = message.Replace('\r', ' ').Replace('\n', ' ');
        var length = Encoding.UTF8.GetByteCount(text);
        var span = output.GetSpan(length + 3);
        span[0] = (byte)'-';
        Encoding.UTF8.GetBytes(text, span[1..]);
        "\r\n"u8.CopyTo(span[(1 + length)..]);
        output.Advance(length + 3);
    }

    public static void Integer(IBufferWriter<byte> output, long value) => Header(output, (byte)':', value);

    public static void Bulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        Header(output, (byte)'$', value.Length);
        var span = output.GetSpan(value.Length + 2);
        value.CopyTo(span);
        "\r\n"u8.CopyTo(span[value.Length..]);
        output.Advance(value.Length + 2);
    }

    public static void Bulk(IBufferWriter<byte> output, string value) => Bulk(output, Encoding.UTF8.GetBytes(value));

    /// <summary>A missing value: RESP3's null, RESP2's null bulk string.</summary>
    public static void Null(IBufferWriter<byte> output, int protocol) =>
        Raw(output, protocol >= 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    public static void Array(IBufferWriter<byte> output, int count) => Header(output, (byte)'*', count);

    /// <summary>An out-of-band message (pub/sub): RESP3's push, RESP2's array.</summary>
    public static void Push(IBufferWriter<byte> output, int count, int protocol) => Header(output, protocol >= 3 ? (byte)'>' : (byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries: RESP3's map, or RESP2's flat array of keys and values.</summary>
    public static void Map(IBufferWriter<byte> output, int pairs, int protocol)
    {
        if (protocol >= 3)
        {
            Header(output, (byte)'%', pairs);
        }
        else
        {
            Header(output, (byte)'*', pairs * 2);
        }
    }

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void Header(IBufferWriter<byte> output, byte marker, long value)
    {
        var span = output.GetSpan(24);
        span[0] = marker;
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }
}
