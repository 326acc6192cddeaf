using System.Globalization;
using System.Text;

namespace K8sCache.Metrics;

/// <summary>
/// One histogram series in Prometheus's cumulative form: a count per upper bound, the sum and the count. Recording is
/// lock-free (an interlocked increment and an interlocked add), so it may run on a cache's hit path; a sampled
/// measurement is recorded with its weight (1 in N recorded with weight N keeps counts and quantiles right).
/// </summary>
public sealed class HistogramAggregate(double[] bounds)
{
    private readonly long[] _buckets = new long[bounds.Length + 1];
    private long _sumBits;

    /// <summary>Counts <paramref name="value"/> (seconds) <paramref name="weight"/> times.</summary>
    public void Record(double value, int weight = 1)
    {
        var bucket = Array.BinarySearch(bounds, value);
        Interlocked.Add(ref _buckets[bucket >= 0 ? bucket : ~bucket], weight);
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _sumBits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value * weight);
        }
        while (Interlocked.CompareExchange(ref _sumBits, next, seen) != seen);
    }

    /// <summary>Writes <c>NAME_bucket{…,le="…"}</c> for every bound and +Inf, then <c>NAME_sum</c> and <c>NAME_count</c>.</summary>
    internal void Write(StringBuilder text, string name, string labels)
    {
        var inner = labels.Length == 0 ? string.Empty : labels[1..^1] + ",";
        var cumulative = 0L;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Volatile.Read(ref _buckets[i]);
            var le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            text.Append(name).Append("_bucket{").Append(inner).Append("le=\"").Append(le).Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append(name).Append("_sum").Append(labels).Append(' ')
            .Append(BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits)).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count").Append(labels).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
