using System.Diagnostics.Metrics;

namespace K8sCache.Operator.Controller;

/// <summary>The operator's instruments on the meter <c>K8sCache.Operator</c>: reconciles by result, their duration,
/// the work queue's depth and whether this replica leads.</summary>
internal sealed class OperatorMetrics : IDisposable
{
    private readonly Counter<long> _reconciles;
    private readonly Counter<double> _durationSum;

    public OperatorMetrics(Func<int> queueDepth, Func<bool> isLeader)
    {
        Meter = new Meter("K8sCache.Operator", "1.0");
        _reconciles = Meter.CreateCounter<long>("k8scache_operator.reconciles", description: "Reconciles by result (success, error).");
        _durationSum = Meter.CreateCounter<double>("k8scache_operator.reconcile_seconds", description: "Total time spent reconciling, in seconds.");
        Meter.CreateObservableGauge("k8scache_operator.queue_depth", () => queueDepth(), description: "CacheGroups waiting to be reconciled.");
        Meter.CreateObservableGauge("k8scache_operator.leader", () => isLeader() ? 1 : 0, description: "1 when this replica holds the Lease.");
    }

    public Meter Meter { get; }

    public void Reconciled(bool success, TimeSpan duration)
    {
        _reconciles.Add(1, new KeyValuePair<string, object?>("result", success ? "success" : "error"));
        _durationSum.Add(duration.TotalSeconds);
    }

    public void Dispose() => Meter.Dispose();
}
