using System.Buffers.Text;
using System.Text;

namespace K8sCache.Client;

/// <summary>Reads one reply from received bytes; 0 when they end before it does.</summary>
internal static class RespReplyReader
{
    public static int TryRead(ReadOnlySpan<byte> bytes, out RespReply reply)
    {
        reply = default;
        var line = bytes.IndexOf("\r\n"u8);
        if (line < 1)
        {
            return 0;
        }

        var header = bytes[1..line];
        var consumed = line + 2;
        switch (bytes[0])
        {
            case (byte)'+':
                reply = new RespReply(RespReplyKind.Simple, Text: Encoding.UTF8.GetString(header));
                return consumed;
            case (byte)'-':
                reply = new RespReply(RespReplyKind.Error, Text: Encoding.UTF8.GetString(header));
                return consumed;
            case (byte)':':
                reply = new RespReply(RespReplyKind.Integer, Integer: Number(header));
                return consumed;
            case (byte)'_':
                reply = new RespReply(RespReplyKind.Null);
                return consumed;
            case (byte)'$':
                var length = Number(header);
                if (length < 0)
                {
                    reply = new RespReply(RespReplyKind.Null);
                    return consumed;
                }

                if (bytes.Length < consumed + length + 2)
                {
                    return 0;
                }

                reply = new RespReply(RespReplyKind.Bulk, Bulk: bytes.Slice(consumed, (int)length).ToArray());
                return consumed + (int)length + 2;
            case (byte)'*':
                var count = Number(header);
                var items = new RespReply[Math.Max(0, count)];
                for (var i = 0; i < items.Length; i++)
                {
                    var used = TryRead(bytes[consumed..], out items[i]);
                    if (used == 0)
                    {
                        return 0;
                    }

                    consumed += used;
                }

                reply = count < 0 ? new RespReply(RespReplyKind.Null) : new RespReply(RespReplyKind.Array, Items: items);
                return consumed;
            default:
                throw new K8sCacheUnavailableException($"the sidecar answered something that is not RESP ('{(char)bytes[0]}')");
        }
    }

    private static long Number(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out var used) && used == digits.Length
            ? value
            : throw new K8sCacheUnavailableException("the sidecar answered a malformed RESP length");
}
