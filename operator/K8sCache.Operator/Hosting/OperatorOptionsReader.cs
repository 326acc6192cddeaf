using System.Globalization;

namespace K8sCache.Operator.Hosting;

/// <summary>Reads section <c>Operator</c>, naming the key of every bad value.</summary>
internal static class OperatorOptionsReader
{
    public static OperatorOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Operator");
        var defaults = new OperatorOptions();
        var errors = new List<string>();
        var options = new OperatorOptions
        {
            WatchNamespaces = (section["WatchNamespaces"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            LeaderElection = Bool(section, "LeaderElection", defaults.LeaderElection, errors),
            LeaseName = section["LeaseName"] ?? defaults.LeaseName,
            LeaseNamespace = section["LeaseNamespace"],
            Identity = section["Identity"] ?? defaults.Identity,
            LeaseDuration = Seconds(section, "LeaseDuration", defaults.LeaseDuration, errors),
            RenewDeadline = Seconds(section, "RenewDeadline", defaults.RenewDeadline, errors),
            RetryPeriod = Seconds(section, "RetryPeriod", defaults.RetryPeriod, errors),
            Workers = int.TryParse(section["Workers"] ?? "2", NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 64 ? w : Error(errors, "Workers", 2),
            SidecarImage = section["SidecarImage"] ?? defaults.SidecarImage,
            MetricsAddress = section["MetricsAddress"] ?? defaults.MetricsAddress,
        };
        if (errors.Count > 0)
        {
            throw new InvalidDataException("Invalid operator configuration:\n  " + string.Join("\n  ", errors));
        }

        return options;
    }

    private static bool Bool(IConfigurationSection section, string key, bool fallback, List<string> errors) =>
        section[key] is not { } text ? fallback : bool.TryParse(text, out var value) ? value : Error(errors, key, fallback);

    /// <summary>Durations in seconds (<c>15</c>) or with a unit (<c>15s</c>, <c>500ms</c>).</summary>
    private static TimeSpan Seconds(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        if (double.TryParse(text.TrimEnd('s'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && !text.EndsWith("ms", StringComparison.Ordinal) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return Error(errors, key, fallback);
    }

    private static T Error<T>(List<string> errors, string key, T fallback)
    {
        errors.Add($"Operator:{key}: invalid value.");
        return fallback;
    }
}
