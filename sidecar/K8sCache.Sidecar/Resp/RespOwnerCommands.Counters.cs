using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>INCR and its forms, exact because the owner runs them under the key's lock: every pod's increment of a
/// key reaches the one owner, so a counter counts each once.</summary>
internal static partial class RespOwnerCommands
{
    public static void IncrementBy(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, long increment)
    {
        var key = Key(request, 1, entries);
        var held = ReadString(entries, key, out var expiry);
        var current = held is null ? 0 : ParseInteger(held, "ERR value is not an integer or out of range");
        var next = Add(current, increment);
        entries.Set(key, Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture)), expiry);
        RespWriter.Integer(output, next);
    }

    public static void IncrementByFloat(RespRequest request, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        var key = Key(request, 1, entries);
        var increment = RespArguments.Float(request, 2);
        var held = ReadString(entries, key, out var expiry);
        var current = held is null ? 0 : ParseFloat(held);
        var text = FormatFloat(current + increment);
        entries.Set(key, Encoding.ASCII.GetBytes(text), expiry);
        RespWriter.Bulk(output, text);
    }

    private static long Add(long current, long increment) =>
        increment > 0 && current > long.MaxValue - increment || increment < 0 && current < long.MinValue - increment
            ? throw new RespSyntaxException("ERR increment or decrement would overflow")
            : current + increment;

    private static long ParseInteger(ReadOnlySpan<byte> text, string error) =>
        text.Length <= 20 && Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length
            ? value
            : throw new RespSyntaxException(error);

    private static double ParseFloat(ReadOnlySpan<byte> text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new RespSyntaxException("ERR value is not a valid float");

    /// <summary>Redis writes floats without an exponent and without trailing zeros: 10.5, 3, 5000000000000000000.</summary>
    private static string FormatFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new RespSyntaxException("ERR increment would produce NaN or Infinity");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E', StringComparison.Ordinal) ? value.ToString("F17", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.') : text;
    }
}
