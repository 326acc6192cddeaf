using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Discovery;

/// <summary>
/// Re-resolves the members every <c>DiscoveryInterval</c> and hands them to the peer set, which rebuilds its ring only
/// when the list changed; a list that drops members must be seen twice in a row (<see cref="RemovalConfirmation"/>),
/// and a DNS answer that does not list this node is not taken at all (until one does, the node is not ready).
/// Reads the current options each round, so a reloaded <c>Discovery</c> takes effect.
/// </summary>
internal sealed partial class MembershipService(
    PeerSet peers, Func<SidecarOptions> currentOptions, TimeProvider timeProvider, ILogger<MembershipService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? uri = null;
        IDiscovery? discovery = null;
        var confirmation = new RemovalConfirmation();
        while (!stoppingToken.IsCancellationRequested)
        {
            var options = currentOptions();
            if (uri != options.Discovery)
            {
                uri = options.Discovery;
                discovery = DiscoveryFactory.Create(DiscoveryUri.Parse(uri));
            }

            try
            {
                var members = await discovery!.ResolveAsync(stoppingToken);
                if (members is null)
                {
                    LogKeptMembers(logger, uri);
                }
                else if (discovery is DnsDiscovery && !members.Contains(peers.Self, StringComparer.Ordinal))
                {
                    // The headless Service lists every pod, not-ready ones too: an answer without this pod (no such
                    // name at startup, a stale record) is no view of the cluster. Taken as one, it would make this node
                    // the owner of every key, ready to accept writes that belong to others.
                    LogNotListed(logger, uri, string.Join(",", members), peers.Self);
                }
                else if (confirmation.Decide(peers.IsReady ? peers.Ring.Members : [], members, peers.Self) is { } confirmed)
                {
                    peers.UpdateMembers(confirmed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, uri, e);
            }

            try
            {
                await Task.Delay(options.DiscoveryInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Discovery {Uri} failed transiently; keeping the previous members")]
    private static partial void LogKeptMembers(ILogger logger, string uri);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Discovery {Uri} answered [{Members}] without this node ({Self}); not taken as the member list")]
    private static partial void LogNotListed(ILogger logger, string uri, string members, string self);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Discovery {Uri} failed")]
    private static partial void LogFailed(ILogger logger, string uri, Exception exception);
}
