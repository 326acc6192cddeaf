using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// The first step of SIGTERM, before any listener closes: <c>/readyz</c> starts failing, and the node keeps serving
/// everything (its localhost API above all) for <c>ShutdownDelay</c>; then the host stops accepting connections and
/// lets calls in flight finish within <c>ShutdownTimeout</c>. As a native sidecar the node gets SIGTERM only after the
/// application has exited; in a cache-only pod the delay lets peers and endpoints notice it is going. First the node
/// hands its entries to their next owners while it still serves, and says it is leaving (<paramref name="handOver"/>,
/// bounded by <c>HandOverTimeout</c>); the delay then lets every peer see that in a ping answer and route its keys to
/// their next owners before this node stops listening.
/// </summary>
internal sealed class ShutdownDrain(CacheNode node, TimeSpan delay, Func<Task> handOver, TimeProvider timeProvider) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before every hosted service stops, the web server included.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        node.Draining = true;
        try
        {
            await handOver().WaitAsync(cancellationToken);
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
