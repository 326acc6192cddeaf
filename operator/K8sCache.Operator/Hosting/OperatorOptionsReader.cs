using System.Globalization;
using System.Text.RegularExpressions;
using K8sCache.Configuration;

namespace K8sCache.Operator.Hosting;

/// <summary>Reads section <c>Operator</c>, naming the key of every bad value.</summary>
internal static partial class OperatorOptionsReader
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
            LeaseDuration = DurationOf(section, "LeaseDuration", defaults.LeaseDuration, errors),
            RenewDeadline = DurationOf(section, "RenewDeadline", defaults.RenewDeadline, errors),
            RetryPeriod = DurationOf(section, "RetryPeriod", defaults.RetryPeriod, errors),
            StallAfter = DurationOf(section, "StallAfter", defaults.StallAfter, errors),
            Workers = int.TryParse(section["Workers"] ?? "2", NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 1 and <= 64 ? w : Error(errors, "Workers", 2),
            SidecarImage = section["SidecarImage"] ?? defaults.SidecarImage,
            ClusterDomain = section["ClusterDomain"] is { } domain && !DnsName().IsMatch(domain)
                ? Error(errors, "ClusterDomain", defaults.ClusterDomain)
                : section["ClusterDomain"] ?? defaults.ClusterDomain,
            MetricsAddress = section["MetricsAddress"] is { } address && !EndpointParser.TryParseHostPort(address, out _, out _)
                ? Error(errors, "MetricsAddress", defaults.MetricsAddress)
                : section["MetricsAddress"] ?? defaults.MetricsAddress,
        };
        if (errors.Count > 0)
        {
            throw new InvalidDataException("Invalid operator configuration:\n  " + string.Join("\n  ", errors));
        }

        return options;
    }

    private static bool Bool(IConfigurationSection section, string key, bool fallback, List<string> errors) =>
        section[key] is not { } text ? fallback : bool.TryParse(text, out var value) ? value : Error(errors, key, fallback);

    /// <summary>A duration as everywhere in K8sCache (<c>15s</c>, <c>500ms</c>), or whole seconds (<c>15</c>).</summary>
    private static TimeSpan DurationOf(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return Duration.TryParse(text, out var duration) && duration > TimeSpan.Zero ? duration : Error(errors, key, fallback);
    }

    /// <summary>A DNS name: dot-separated labels of lower-case letters, digits and '-'.</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DnsName();

    private static T Error<T>(List<string> errors, string key, T fallback)
    {
        errors.Add($"Operator:{key}: invalid value.");
        return fallback;
    }
}
