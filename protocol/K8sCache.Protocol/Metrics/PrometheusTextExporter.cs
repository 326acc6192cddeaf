using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace K8sCache.Protocol.Metrics;

/// <summary>
/// Renders one <see cref="Meter"/>'s instruments in the Prometheus text exposition format (version 0.0.4). Observable
/// instruments are read at scrape time; push counters and up-down counters are summed per label set as measurements
/// arrive. Names: dots become underscores, counters get <c>_total</c>, byte units get <c>_bytes</c> unless present.
/// Histograms are not exported.
/// </summary>
public sealed class PrometheusTextExporter : IDisposable
{
    /// <summary>The Content-Type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<Instrument, Dictionary<string, double>> _sums = [];
    private Dictionary<Instrument, Dictionary<string, double>>? _scrape;

    /// <summary>Exports the instruments of <paramref name="meter"/> (that instance only).</summary>
    public PrometheusTextExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
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
