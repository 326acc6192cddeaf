using System.Diagnostics;
using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Runtime;

namespace K8sCache.Operator.Controller;

/// <summary>
/// The controller loop: informers on CacheGroups and on the objects they own (by the managed-by label) feed a
/// de-duplicating work queue; <c>Workers</c> reconcilers drain it; failures come back with capped exponential backoff
/// and jitter; CacheGroups still rolling out are looked at again on a timer. Runs while this replica leads.
/// A worker never dies of one CacheGroup's failure, whatever it throws; <see cref="Stalled"/> tells the health check
/// when work waits and no worker has finished anything for <see cref="StallAfter"/>.
/// </summary>
internal sealed partial class CacheGroupController(
    ClusterApi client, CacheGroupReconciler reconciler, IReadOnlyList<string> namespaces, int workers,
    TimeProvider timeProvider, ILogger logger)
{
    private readonly WorkQueue _queue = new(timeProvider, Backoff.Default);
    private long _lastProgress = timeProvider.GetTimestamp();
    private int _workersRunning;

    public int QueueDepth => _queue.Depth;

    /// <summary>Reconciles run so far, successful or not.</summary>
    public long Reconciles => Interlocked.Read(ref _reconciles);

    private long _reconciles;

    public OperatorMetrics? Metrics { get; init; }

    /// <summary>How long work may wait with no worker finishing anything before the loop counts as stalled. Every API
    /// request of a reconcile has a timeout, so a healthy loop finishes items well within it.</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Why the loop is stalled, or null when it is not: keys wait and no worker finished one for
    /// <see cref="StallAfter"/>, or a worker is gone while the loop runs.</summary>
    public string? Stalled(int expectedWorkers)
    {
        var running = Volatile.Read(ref _workersRunning);
        if (running > 0 && running < expectedWorkers)
        {
            return $"{expectedWorkers - running} of {expectedWorkers} workers have stopped";
        }

        var idle = timeProvider.GetElapsedTime(Volatile.Read(ref _lastProgress));
        return QueueDepth > 0 && idle > StallAfter
            ? $"{QueueDepth} CacheGroups wait and no reconcile finished for {idle.TotalSeconds:F0}s"
            : null;
    }

    /// <summary>Completes when every informer has listed once.</summary>
    public Task Synced { get; private set; } = Task.CompletedTask;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var scopes = namespaces.Count == 0 ? [null] : namespaces.Cast<string?>().ToArray();
        var managedBy = $"{ObjectNames.ManagedByLabel}={ObjectNames.ManagedBy}";
        var informers = new List<Informer>();
        foreach (var ns in scopes)
        {
            informers.Add(new Informer(client, ResourceType.CacheGroups, ns, null, EnqueueCacheGroup, timeProvider, logger));
            foreach (var owned in ResourceType.Owned)
            {
                informers.Add(new Informer(client, owned, ns, managedBy, EnqueueOwner, timeProvider, logger));
            }
        }

        Synced = Task.WhenAll(informers.Select(i => i.Synced));
        var tasks = informers.Select(i => i.RunAsync(cancellationToken)).ToList();
        tasks.AddRange(Enumerable.Range(0, workers).Select(_ => WorkAsync(cancellationToken)));
        await Task.WhenAll(tasks);
    }

    private void EnqueueCacheGroup(JsonObject cg) => _queue.Add($"{cg["metadata"]?["namespace"]}/{cg["metadata"]?["name"]}");

    /// <summary>A change to an owned object (a StatefulSet's status, a deleted Service) wakes its CacheGroup.</summary>
    private void EnqueueOwner(JsonObject owned)
    {
        var owner = owned["metadata"]?["ownerReferences"]?.AsArray()
            .FirstOrDefault(o => (string?)o?["kind"] == "CacheGroup" && (bool?)o?["controller"] == true);
        if (owner is not null)
        {
            _queue.Add($"{owned["metadata"]?["namespace"]}/{owner["name"]}");
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _workersRunning);
        try
        {
            await DrainAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _workersRunning);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await _queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _reconciles);
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            using var span = ReconcileTracing.Source.StartActivity("k8scache.reconcile")?
                .SetTag("k8s.namespace.name", key[..slash]).SetTag("k8scache.cachegroup", key[(slash + 1)..]);
            try
            {
                var result = await reconciler.ReconcileAsync(key[..slash], key[(slash + 1)..], cancellationToken);
                span?.SetTag("k8scache.result", "success");
                _queue.Forget(key);
                if (result.RequeueAfter is { } after)
                {
                    _queue.AddAfter(key, after, cancellationToken);
                }

                Metrics?.Reconciled(true, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ReconcileException or ClusterApiException or HttpRequestException or IOException)
            {
                span?.SetTag("k8scache.result", "error").SetStatus(ActivityStatusCode.Error, e.Message);
                Metrics?.Reconciled(false, Stopwatch.GetElapsedTime(started));
                LogFailed(logger, key, e.Message);
                _queue.AddRateLimited(key, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // A defect, not an API error: logged with its stack, retried with backoff, and the worker lives on.
                span?.SetTag("k8scache.result", "error").SetStatus(ActivityStatusCode.Error, e.Message);
                Metrics?.Reconciled(false, Stopwatch.GetElapsedTime(started));
                LogCrashed(logger, key, e);
                _queue.AddRateLimited(key, cancellationToken);
            }
            finally
            {
                _queue.Done(key);
                Volatile.Write(ref _lastProgress, timeProvider.GetTimestamp());
            }
        }
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Error, Message = "Reconcile of {Key} threw; retrying with backoff")]
    private static partial void LogCrashed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 5400, Level = LogLevel.Warning, Message = "Reconcile of {Key} failed: {Reason}; retrying with backoff")]
    private static partial void LogFailed(ILogger logger, string key, string reason);
}
