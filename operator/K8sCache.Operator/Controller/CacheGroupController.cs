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
/// </summary>
internal sealed partial class CacheGroupController(
    KubernetesClient client, CacheGroupReconciler reconciler, IReadOnlyList<string> namespaces, int workers,
    TimeProvider timeProvider, ILogger logger)
{
    private readonly WorkQueue _queue = new(timeProvider, Backoff.Default);

    public int QueueDepth => _queue.Depth;

    /// <summary>Reconciles run so far, successful or not.</summary>
    public long Reconciles => Interlocked.Read(ref _reconciles);

    private long _reconciles;

    public OperatorMetrics? Metrics { get; init; }

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
            try
            {
                var result = await reconciler.ReconcileAsync(key[..slash], key[(slash + 1)..], cancellationToken);
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
            catch (Exception e) when (e is KubernetesException or HttpRequestException or IOException)
            {
                Metrics?.Reconciled(false, Stopwatch.GetElapsedTime(started));
                LogFailed(logger, key, e.Message);
                _queue.AddRateLimited(key, cancellationToken);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    [LoggerMessage(EventId = 5400, Level = LogLevel.Warning, Message = "Reconcile of {Key} failed: {Reason}; retrying with backoff")]
    private static partial void LogFailed(ILogger logger, string key, string reason);
}
