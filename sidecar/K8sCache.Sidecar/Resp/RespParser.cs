using System.Buffers;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Reads client requests: RESP arrays of bulk strings (what every client library sends) and inline commands (words on
/// one line, what a person types into telnet). Limits: an array of at most 1,048,576 arguments and a request of at
/// most <c>maxRequestBytes</c>, with Redis's own protocol error messages beyond them.
/// </summary>
internal static class RespParser
{
    public const int MaxArguments = 1024 * 1024;

    /// <summary>Longest inline command, as Redis's PROTO_INLINE_MAX_SIZE.</summary>
    public const int MaxInlineBytes = 64 * 1024;

    private const int MaxHeaderDigits = 20;

    /// <summary>Parses one command from the start of <paramref name="buffer"/>. On <see cref="RespParseStatus.Command"/>
    /// and <see cref="RespParseStatus.Empty"/> the buffer is advanced past it; otherwise it is left as it was.</summary>
    public static RespParseStatus TryParse(ref ReadOnlySequence<byte> buffer, RespRequest request, long maxRequestBytes, out string error)
    {
        error = string.Empty;
        request.Clear();
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryPeek(out var first))
        {
            return RespParseStatus.Incomplete;
        }

        var status = first == (byte)'*' ? ParseArray(ref reader, request, maxRequestBytes, out error) : ParseInline(ref reader, request, out error);
        if (status is RespParseStatus.Command or RespParseStatus.Empty)
        {
            buffer = buffer.Slice(reader.Position);
        }

        return status;
    }

    private static RespParseStatus ParseArray(ref SequenceReader<byte> reader, RespRequest request, long maxRequestBytes, out string error)
    {
        error = string.Empty;
        reader.Advance(1);
        switch (ReadNumber(ref reader, out var count))
        {
            case null:
                return RespParseStatus.Incomplete;
            case false:
                error = "Protocol error: invalid multibulk length";
                return RespParseStatus.Error;
        }

        if (count > MaxArguments)
        {
            error = "Protocol error: invalid multibulk length";
            return RespParseStatus.Error;
        }

        if (count <= 0)
        {
            return RespParseStatus.Empty;
        }

        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var marker))
            {
                return RespParseStatus.Incomplete;
            }

            if (marker != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)marker}'";
                return RespParseStatus.Error;
            }

            switch (ReadNumber(ref reader, out var length))
            {
                case null:
                    return RespParseStatus.Incomplete;
                case false:
                    error = "Protocol error: invalid bulk length";
                    return RespParseStatus.Error;
            }

            if (length < 0 || request.Length + length > maxRequestBytes)
            {
                error = length < 0 ? "Protocol error: invalid bulk length" : $"Protocol error: the request is larger than Resp:MaxRequestBytes ({maxRequestBytes} bytes)";
                return RespParseStatus.Error;
            }

            if (reader.Remaining < length + 2)
            {
                return RespParseStatus.Incomplete;
            }

            request.Add(reader.UnreadSequence.Slice(0, length));
            reader.Advance(length);
            if (!reader.IsNext("\r\n"u8, advancePast: true))
            {
                error = "Protocol error: expected CRLF after a bulk string";
                return RespParseStatus.Error;
            }
        }

        return RespParseStatus.Command;
    }

    private static RespParseStatus ParseInline(ref SequenceReader<byte> reader, RespRequest request, out string error)
    {
        error = string.Empty;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (reader.Remaining > MaxInlineBytes)
            {
                error = "Protocol error: too big inline request";
                return RespParseStatus.Error;
            }

            return RespParseStatus.Incomplete;
        }

        if (line.Length > MaxInlineBytes)
        {
            error = "Protocol error: too big inline request";
            return RespParseStatus.Error;
        }

        var words = new SequenceReader<byte>(line);
        while (!words.End)
        {
            words.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r');
            var start = words.Position;
            if (!words.TryAdvanceToAny([(byte)' ', (byte)'\t', (byte)'\r'], advancePastDelimiter: false))
            {
                words.AdvanceToEnd();
            }

            var word = line.Slice(start, words.Position);
            if (!word.IsEmpty)
            {
                request.Add(word);
            }
        }

        return request.Count == 0 ? RespParseStatus.Empty : RespParseStatus.Command;
    }

    /// <summary>A decimal number ended by CRLF: null when the buffer ends first, false when it is not a number.</summary>
    private static bool? ReadNumber(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        var negative = reader.IsNext((byte)'-', advancePast: true);
        var digits = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                return null;
            }

            if (b == (byte)'\r')
            {
                if (!reader.TryRead(out var lf))
                {
                    return null;
                }

                value = negative ? -value : value;
                return lf == (byte)'\n' && digits > 0;
            }

            if (b is < (byte)'0' or > (byte)'9' || ++digits > MaxHeaderDigits - 2)
            {
                return false;
            }

            value = value * 10 + (b - '0');
        }
    }
}
