using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Hosting;

/// <summary>Reclaims the memory of expired entries that nobody reads (reads drop expired entries themselves): every
/// second, a bounded slice of each cache, so the cache lock is never held long.</summary>
internal sealed class ExpirySweeper(CacheNode node, TimeProvider timeProvider) : BackgroundService
{
    private const int MaxScanPerRound = 20_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var group in node.Groups)
                {
                    group.RemoveExpired(MaxScanPerRound);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
