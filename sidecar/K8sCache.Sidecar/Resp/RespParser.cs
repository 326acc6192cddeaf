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

    /// <summary>What separates the words of an inline command.</summary>
    private static ReadOnlySpan<byte> InlineSeparators => " \t\r"u8;

    /// <summary>Parses one command from the start of <paramref name="input"/>. On <see cref="RespParseStatus.Command"/>
    /// and <see cref="RespParseStatus.Empty"/>, <paramref name="consumed"/> is its length; otherwise 0. The input is one
    /// contiguous buffer (the connection's read buffer), read with plain indexes.</summary>
    public static RespParseStatus TryParse(ReadOnlySpan<byte> input, RespRequest request, long maxRequestBytes, out int consumed, out string error)
    {
        error = string.Empty;
        consumed = 0;
        request.Clear();
        if (input.IsEmpty)
        {
            return RespParseStatus.Incomplete;
        }

        var position = 0;
        var status = input[0] == (byte)'*' ? ParseArray(input, ref position, request, maxRequestBytes, out error) : ParseInline(input, ref position, request, out error);
        if (status is RespParseStatus.Command or RespParseStatus.Empty)
        {
            consumed = position;
        }

        return status;
    }

    private static RespParseStatus ParseArray(ReadOnlySpan<byte> input, ref int position, RespRequest request, long maxRequestBytes, out string error)
    {
        error = string.Empty;
        position = 1;
        switch (ReadNumber(input, ref position, out var count))
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
            if (position >= input.Length)
            {
                return RespParseStatus.Incomplete;
            }

            var marker = input[position++];
            if (marker != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)marker}'";
                return RespParseStatus.Error;
            }

            switch (ReadNumber(input, ref position, out var length))
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

            if (input.Length - position < length + 2)
            {
                return RespParseStatus.Incomplete;
            }

            request.Add(input.Slice(position, (int)length));
            position += (int)length;
            if (input[position] != (byte)'\r' || input[position + 1] != (byte)'\n')
            {
                error = "Protocol error: expected CRLF after a bulk string";
                return RespParseStatus.Error;
            }

            position += 2;
        }

        return RespParseStatus.Command;
    }

    private static RespParseStatus ParseInline(ReadOnlySpan<byte> input, ref int position, RespRequest request, out string error)
    {
        error = string.Empty;
        var end = input.IndexOf((byte)'\n');
        if (end < 0 || end > MaxInlineBytes)
        {
            if (end > MaxInlineBytes || input.Length > MaxInlineBytes)
            {
                error = "Protocol error: too big inline request";
                return RespParseStatus.Error;
            }

            return RespParseStatus.Incomplete;
        }

        position = end + 1;
        var rest = input[..end];
        while (rest.IndexOfAnyExcept(InlineSeparators) is var start and >= 0)
        {
            rest = rest[start..];
            var length = rest.IndexOfAny(InlineSeparators);
            length = length < 0 ? rest.Length : length;
            request.Add(rest[..length]);
            rest = rest[length..];
        }

        return request.Count == 0 ? RespParseStatus.Empty : RespParseStatus.Command;
    }

    /// <summary>A decimal number ended by CRLF: null when the input ends first, false when it is not a number.</summary>
    private static bool? ReadNumber(ReadOnlySpan<byte> input, ref int position, out long value)
    {
        value = 0;
        var negative = position < input.Length && input[position] == (byte)'-';
        if (negative)
        {
            position++;
        }

        var digits = 0;
        while (true)
        {
            if (position >= input.Length)
            {
                return null;
            }

            var b = input[position++];
            if (b == (byte)'\r')
            {
                if (position >= input.Length)
                {
                    return null;
                }

                var lf = input[position++];
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
