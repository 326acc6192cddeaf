using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Runs the peer set's pings: failure detection and the renewal of hot-copy leases (docs/design.md §4).</summary>
internal sealed class PingService(PeerSet peers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => peers.RunPingsAsync(Defaults.PingInterval, stoppingToken);
}
