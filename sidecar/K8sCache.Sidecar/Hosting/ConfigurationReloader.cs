using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Re-reads the configuration file when its content changes and applies groups, limits and the static member
/// list without a restart. An invalid new file is logged and ignored.</summary>
internal sealed partial class ConfigurationReloader(
    string path, IConfigurationRoot configuration, CacheNode node, TimeProvider timeProvider, ILogger<ConfigurationReloader> logger)
    : FileReloader(path, timeProvider)
{
    protected override void Apply()
    {
        configuration.Reload();
        var options = SidecarOptionsReader.Read(configuration, Environment.GetEnvironmentVariable("POD_IP"), CgroupMemory.ReadLimit()) with { Self = node.Options.Self };
        node.Reconfigure(options);
        LogReloaded(logger, Path, options.Groups.Count);
    }

    protected override void Rejected(string reason) => LogRejected(logger, Path, reason);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Reloaded {Path}: {Groups} groups")]
    private static partial void LogReloaded(ILogger logger, string path, int groups);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Ignored the changed {Path}, it is invalid: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
