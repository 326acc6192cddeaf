using System.Diagnostics;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Telemetry;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// One group's calls to its loader: at most <see cref="Defaults.MaxConcurrentLoads"/> at a time (an origin is not
/// sent more than that however many keys miss at once), each a client span, timed, counted and logged. Deduplication
/// is the caller's (one call per key at a time); this is what happens around the call itself.
/// </summary>
internal sealed class LoaderCalls(string node, string group, GroupStats stats, GetObserver observer, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Defaults.MaxConcurrentLoads);

    /// <summary>Loader calls running now.</summary>
    public int InFlight => Defaults.MaxConcurrentLoads - _slots.CurrentCount;

    public async Task<LoadResult> CallAsync(ILoader loader, string key)
    {
        await _slots.WaitAsync(CancellationToken.None);
        using var span = SidecarTracing.Source.StartActivity("k8scache.load", ActivityKind.Client)?
            .SetTag(SidecarTracing.GroupTag, group).SetTag(SidecarTracing.LoaderTag, loader.Kind);
        var started = Stopwatch.GetTimestamp();
        try
        {
            Interlocked.Increment(ref stats.LocalLoads);
            var loaded = await loader.LoadAsync(group, key, CancellationToken.None);
            var outcome = loaded.Found ? "found" : "not_found";
            span?.SetTag(SidecarTracing.OutcomeTag, outcome);
            observer.RecordLoad(started, outcome);
            NodeLog.Loaded(logger, node, group, key, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, loaded.Found);
            return loaded;
        }
        catch (LoaderException e)
        {
            span?.SetTag(SidecarTracing.OutcomeTag, "error").SetStatus(ActivityStatusCode.Error, e.Message);
            observer.RecordLoad(started, "error");
            Interlocked.Increment(ref stats.LocalLoadErrors);
            NodeLog.LoadFailed(logger, node, group, e.Message);
            NodeLog.LoadFailedKey(logger, node, group, key);
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
