using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Re-reads <c>PeerTokenFile</c> every 2 s. When the kubelet has written a new token (the operator replaced the
/// Secret), calls to peers carry it from then on, and the previous one is still accepted for a while
/// (<see cref="PeerTokens"/>). A file that cannot be read, or holds a token too short, is logged and ignored.
/// </summary>
internal sealed partial class PeerTokenReloader(
    string path, PeerTokens tokens, PeerSet peers, TimeProvider timeProvider, ILogger<PeerTokenReloader> logger) : BackgroundService
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
                    if (tokens.Rotate(SidecarHost.ReadPeerToken(path)))
                    {
                        peers.UseToken(tokens.Current);
                        LogRotated(logger, path);
                    }
                }
                catch (ConfigurationException e)
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

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "The peer token in {Path} changed: peers are called with the new one; the previous one is accepted for a while")]
    private static partial void LogRotated(ILogger logger, string path);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Error, Message = "Ignored the changed peer token in {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
