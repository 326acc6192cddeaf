using System.Globalization;

namespace K8sCache.Sidecar.Configuration;

/// <summary>
/// Byte sizes as Kubernetes writes quantities: a plain number of bytes (<c>1048576</c>), a binary suffix
/// (<c>Ki Mi Gi Ti Pi Ei</c>), a decimal suffix (<c>k M G T P E</c>) or an exponent (<c>64e6</c>). Fractions are allowed
/// when the result is rounded up to whole bytes (<c>1.5Gi</c>); negative sizes and milli units are not. A size beyond what
/// a long holds saturates at <see cref="long.MaxValue"/> (no machine has that much memory either way).
/// </summary>
internal static class ByteSize
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("Ei", 1L << 60),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        decimal factor = 1;
        var number = text;
        foreach (var (suffix, value) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = value;
                number = text[..^suffix.Length];
                break;
            }
        }

        var style = factor == 1 ? NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent : NumberStyles.AllowDecimalPoint;
        if (number.Length == 0 || !char.IsAsciiDigit(number[0]) && number[0] != '.'
            || !decimal.TryParse(number, style, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        try
        {
            var total = decimal.Ceiling(amount * factor);
            bytes = total > long.MaxValue ? long.MaxValue : (long)total;
        }
        catch (OverflowException)
        {
            bytes = long.MaxValue;
        }

        return true;
    }

    public static string Format(long bytes)
    {
        ReadOnlySpan<(string Suffix, long Factor)> units = [("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10)];
        foreach (var (suffix, factor) in units)
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
