using System.Diagnostics.Metrics;

namespace K8sCache.Sidecar.Telemetry;

/// <summary>
/// The sidecar's recorded instruments (the counters and gauges read at collection live in <c>NodeMetrics</c>):
/// latency histograms, in seconds, of peer calls by method and outcome and of loader calls by group and outcome, which
/// the Prometheus endpoint and the OTLP exporter both listen to; and of Gets by group and outcome, which groups keep
/// themselves for the Prometheus endpoint (<c>GetLatency</c>) and record here only while OTLP listens (a hit cannot
/// afford a listener's dispatch). One per process: nodes that share a process (tests) share them.
/// </summary>
internal static class SidecarInstruments
{
    public const string MeterName = "K8sCache.Sidecar.Latency";

    /// <summary>The meter of <see cref="GetDuration"/>, for OTLP only.</summary>
    public const string GetsMeterName = "K8sCache.Sidecar.Gets";

    public static Meter Meter { get; } = new(MeterName, "1.0");

    public static Meter GetsMeter { get; } = new(GetsMeterName, "1.0");

    public static Histogram<double> GetDuration { get; } = GetsMeter.CreateHistogram<double>("k8scache.get.duration", "s",
        "Gets from applications and peers by group and outcome (hit, hot_hit, peer, load, not_found, error).");

    public static Histogram<double> PeerCallDuration { get; } = Meter.CreateHistogram<double>("k8scache.peer.duration", "s",
        "Calls to peers by method and outcome (ok, error).");

    public static Histogram<double> LoadDuration { get; } = Meter.CreateHistogram<double>("k8scache.load.duration", "s",
        "Loader calls by group and outcome (found, not_found, error).");
}
