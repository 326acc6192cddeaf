using System.Globalization;

namespace K8sCache.Cluster.Testing;

/// <summary>Kubernetes resource quantities in bytes (<c>128Mi</c>, <c>1G</c>, <c>500000</c>), for <c>resourceFieldRef</c>.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m),
    ];

    public static bool TryParse(string text, out long bytes)
    {
        var (number, factor) = Suffixes.FirstOrDefault(s => text.EndsWith(s.Suffix, StringComparison.Ordinal)) is { Suffix: not null } found
            ? (text[..^found.Suffix.Length], found.Factor)
            : (text, 1m);
        var ok = decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value);
        bytes = ok ? (long)decimal.Ceiling(value * factor) : 0;
        return ok;
    }
}
