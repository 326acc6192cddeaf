using System.Diagnostics;
using K8sCache.Metrics;

namespace K8sCache.Sidecar.Telemetry;

/// <summary>
/// One group's Get latency by outcome, kept lock-free for the Prometheus endpoint (and recorded on
/// <see cref="SidecarInstruments.GetDuration"/> while OTLP listens). Misses are all timed. Hits are timed 1 in
/// <see cref="HitSampling"/> and recorded with that weight: the clock reads would otherwise be most of a hit's cost,
/// and a weighted sample keeps the counts and the quantiles right.
/// </summary>
internal sealed class GetLatency(string group)
{
    public const int HitSampling = 16;

    public static readonly string[] Outcomes = ["hit", "hot_hit", "peer", "load", "not_found", "error"];

    private readonly HistogramAggregate[] _histograms = [.. Outcomes.Select(_ => new HistogramAggregate(PrometheusTextExporter.HistogramBounds))];
    private uint _hits;

    /// <summary>The histograms with their labels, for the exporter.</summary>
    public IEnumerable<(KeyValuePair<string, object?>[] Tags, HistogramAggregate Histogram)> Series =>
        Outcomes.Select((outcome, i) => (new KeyValuePair<string, object?>[] { new("group", group), new("outcome", outcome) }, _histograms[i]));

    /// <summary>A timestamp for a hit that will be timed, else 0 (the racy counter only spreads the samples).</summary>
    public long StartHit() => unchecked(++_hits) % HitSampling == 0 ? Stopwatch.GetTimestamp() : 0;

    public void RecordHit(long started, int outcome)
    {
        if (started != 0)
        {
            Record(started, outcome, HitSampling);
        }
    }

    public void Record(long started, int outcome, int weight = 1)
    {
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _histograms[outcome].Record(seconds, weight);
        if (SidecarInstruments.GetDuration.Enabled)
        {
            var tags = new TagList { { "group", group }, { "outcome", Outcomes[outcome] } };
            for (var i = 0; i < weight; i++)
            {
                SidecarInstruments.GetDuration.Record(seconds, tags);
            }
        }
    }
}
