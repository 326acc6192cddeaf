using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace K8sCache.Metrics;

/// <summary>
/// Renders one <see cref="Meter"/>'s instruments in the Prometheus text exposition format (version 0.0.4). Observable
/// instruments are read at scrape time; push counters and up-down counters are summed per label set as measurements
/// arrive; histograms keep cumulative buckets per label set (<see cref="HistogramBounds"/>, for durations in seconds),
/// recorded without a lock or an allocation. Names: dots become underscores, counters get <c>_total</c>, byte units get
/// <c>_bytes</c> and second units <c>_seconds</c> unless present.
/// </summary>
public sealed class PrometheusTextExporter : IDisposable
{
    /// <summary>The Content-Type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Upper bounds of every histogram's buckets: 50 µs to 10 s, for latencies from a cache hit to a slow load.</summary>
    public static readonly double[] HistogramBounds = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<SeriesKey, (string Labels, HistogramAggregate Histogram)>> _histograms = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<Instrument, Dictionary<string, double>> _sums = [];
    private readonly List<(string Name, string Help, Func<IEnumerable<(KeyValuePair<string, object?>[] Tags, HistogramAggregate Histogram)>> Read)> _external = [];
    private Dictionary<Instrument, Dictionary<string, double>>? _scrape;

    /// <summary>Exports the instruments of <paramref name="meters"/> (those instances only).</summary>
    public PrometheusTextExporter(params Meter[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Any(m => ReferenceEquals(instrument.Meter, m)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Adds histograms its owner records itself, without an instrument (a hit path that cannot afford the
    /// listener's dispatch): rendered under <paramref name="name"/> as they are at each scrape.</summary>
    public void AddHistograms(string name, string help, Func<IEnumerable<(KeyValuePair<string, object?>[] Tags, HistogramAggregate Histogram)>> read)
    {
        lock (_lock)
        {
            _external.Add((name, help, read));
        }
    }

    /// <summary>Reads every instrument and renders the exposition text.</summary>
    public string Collect()
    {
        lock (_lock)
        {
            _scrape = [];
            _listener.RecordObservableInstruments();
            var values = _scrape;
            _scrape = null;
            foreach (var (instrument, series) in _sums)
            {
                values[instrument] = new Dictionary<string, double>(series);
            }

            var text = new StringBuilder();
            foreach (var (name, help, read) in _external)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
                text.Append("# TYPE ").Append(name).Append(" histogram\n");
                foreach (var (labels, histogram) in read().Select(s => (Labels(s.Tags), s.Histogram)).OrderBy(s => s.Item1, StringComparer.Ordinal))
                {
                    histogram.Write(text, name, labels);
                }
            }

            foreach (var (instrument, series) in _histograms.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
            {
                var (name, _) = Describe(instrument);
                text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
                text.Append("# TYPE ").Append(name).Append(" histogram\n");
                foreach (var (labels, histogram) in series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
                {
                    histogram.Write(text, name, labels);
                }
            }

            foreach (var (instrument, series) in values.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
            {
                var (name, type) = Describe(instrument);
                text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
                foreach (var (labels, value) in series.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument is Histogram<double> or Histogram<long> or Histogram<int>)
        {
            RecordHistogram(instrument, value, tags);
            return;
        }

        var labels = Labels(tags);
        lock (_lock)
        {
            if (instrument.IsObservable)
            {
                // Only during Collect, which holds the lock and set _scrape.
                if (_scrape is not null)
                {
                    Series(_scrape, instrument)[labels] = value;
                }

                return;
            }

            var series = Series(_sums, instrument);
            series[labels] = series.GetValueOrDefault(labels) + value;
        }
    }

    /// <summary>Finds the series by its tags without allocating (after its first measurement) and records lock-free.</summary>
    private void RecordHistogram(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _histograms.GetOrAdd(instrument, static _ => new());
        var key = SeriesKey.Of(tags, tags.Length > 3 ? Labels(tags) : null);
        if (!series.TryGetValue(key, out var entry))
        {
            entry = series.GetOrAdd(key, (Labels(tags), new HistogramAggregate(HistogramBounds)));
        }

        entry.Histogram.Record(value);
    }

    private static Dictionary<string, double> Series(Dictionary<Instrument, Dictionary<string, double>> all, Instrument instrument)
    {
        if (!all.TryGetValue(instrument, out var series))
        {
            series = new Dictionary<string, double>(StringComparer.Ordinal);
            all[instrument] = series;
        }

        return series;
    }

    private static (string Name, string Type) Describe(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_').Replace('-', '_');
        if (instrument.Unit == "By" && !name.EndsWith("_bytes", StringComparison.Ordinal))
        {
            name += "_bytes";
        }

        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        var isCounter = instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
            or Counter<long> or Counter<int> or Counter<double>;
        return isCounter ? (name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total", "counter") : (name, "gauge");
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder("{");
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(tags[i].Key.Replace('.', '_')).Append("=\"");
            foreach (var c in Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? string.Empty)
            {
                text.Append(c switch
                {
                    '\\' => "\\\\",
                    '"' => "\\\"",
                    '\n' => "\\n",
                    _ => c.ToString(),
                });
            }

            text.Append('"');
        }

        return text.Append('}').ToString();
    }
}
