using System.Diagnostics.Metrics;

namespace K8sCache.Metrics.Tests;

public class PrometheusTextExporterTests
{
    [Fact]
    public void Collect_RendersCountersGaugesAndLabels_InTextFormat()
    {
        using var meter = new Meter("test." + Guid.NewGuid());
        var hits = 5L;
        meter.CreateObservableCounter("k8scache.cache_hits", () => new Measurement<long>(hits, new KeyValuePair<string, object?>("group", "sco\"res")),
            description: "Hits.");
        meter.CreateObservableGauge("k8scache.bytes", () => 42L, unit: "By", description: "Bytes.");
        var pushed = meter.CreateCounter<long>("k8scache.pushed");
        using var exporter = new PrometheusTextExporter(meter);
        pushed.Add(2);
        pushed.Add(3);

        var text = exporter.Collect();

        Assert.Contains("# TYPE k8scache_cache_hits_total counter\nk8scache_cache_hits_total{group=\"sco\\\"res\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP k8scache_bytes Bytes.\n# TYPE k8scache_bytes gauge\nk8scache_bytes 42\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_pushed_total 5\n", text, StringComparison.Ordinal);
        hits = 6;
        Assert.Contains("} 6\n", exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_IgnoresOtherMeters()
    {
        using var mine = new Meter("mine." + Guid.NewGuid());
        using var other = new Meter("other." + Guid.NewGuid());
        other.CreateObservableGauge("other.gauge", () => 1L);
        using var exporter = new PrometheusTextExporter(mine);

        Assert.DoesNotContain("other_gauge", exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_RendersHistograms_Cumulatively_WithSumAndCount_PerLabelSet()
    {
        using var meter = new Meter("test." + Guid.NewGuid());
        var duration = meter.CreateHistogram<double>("k8scache.peer.duration", "s", "Peer calls.");
        using var exporter = new PrometheusTextExporter(meter);
        duration.Record(0.0002, new KeyValuePair<string, object?>("method", "Get"));
        duration.Record(0.003, new KeyValuePair<string, object?>("method", "Get"));
        duration.Record(20, new KeyValuePair<string, object?>("method", "Get"));
        duration.Record(0.0002, new KeyValuePair<string, object?>("method", "Set"));
        var owned = new HistogramAggregate(PrometheusTextExporter.HistogramBounds);
        owned.Record(0.001, weight: 16);
        exporter.AddHistograms("k8scache_get_duration_seconds", "Gets.", () => [([new("outcome", "hit")], owned)]);

        var text = exporter.Collect();

        Assert.Contains("# TYPE k8scache_peer_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_bucket{method=\"Get\",le=\"0.0001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_bucket{method=\"Get\",le=\"0.00025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_bucket{method=\"Get\",le=\"0.005\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_bucket{method=\"Get\",le=\"10\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_bucket{method=\"Get\",le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_count{method=\"Get\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_sum{method=\"Get\"} 20.0032", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_peer_duration_seconds_count{method=\"Set\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE k8scache_get_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_get_duration_seconds_bucket{outcome=\"hit\",le=\"0.001\"} 16\n", text, StringComparison.Ordinal);
        Assert.Contains("k8scache_get_duration_seconds_count{outcome=\"hit\"} 16\n", text, StringComparison.Ordinal);
    }
}
