using System.Diagnostics.Metrics;
using K8sCache.Protocol.Metrics;

namespace K8sCache.Protocol.Tests.Metrics;

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
}
