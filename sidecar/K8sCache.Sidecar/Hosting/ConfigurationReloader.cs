using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Re-reads the configuration file when its content changes and applies groups, limits and the static member list
/// without a restart. Polls the content every 2 s (<see cref="PolledFile"/>). An invalid new file is logged and ignored.
/// </summary>
internal sealed partial class ConfigurationReloader(
    string path, IConfigurationRoot configuration, CacheNode node, TimeProvider timeProvider, ILogger<ConfigurationReloader> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = new PolledFile(path);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!file.Changed())
                {
                    continue;
                }

                try
                {
                    configuration.Reload();
                    var options = SidecarOptionsReader.Read(configuration, Environment.GetEnvironmentVariable("POD_IP")) with { Self = node.Options.Self };
                    node.Reconfigure(options);
                    LogReloaded(logger, path, options.Groups.Count);
                }
                catch (Exception e) when (e is ConfigurationException or FormatException or InvalidDataException or IOException)
                {
                    LogRejected(logger, path, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Reloaded {Path}: {Groups} groups")]
    private static partial void LogReloaded(ILogger logger, string path, int groups);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Ignored the changed {Path}, it is invalid: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
