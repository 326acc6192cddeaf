using System.Globalization;
using System.Text;
using K8sCache.Sidecar.Hashing;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// <c>dotnet run … -- ring</c>: the ring's balance (max/mean keys per member over 1,000,000 keys) and the share of keys
/// moved when one member joins, for N = 3, 5, 10, 30, 100, as JSON in the shape bench/compare's groupcache-node prints.
/// </summary>
internal static class RingReport
{
    public static string Run()
    {
        const int keys = 1_000_000;
        var json = new StringBuilder("{");
        foreach (var n in new[] { 3, 5, 10, 30, 100 })
        {
            var members = Enumerable.Range(0, n).Select(i => $"10.0.{i / 200}.{i % 200}:7070").ToArray();
            var before = HashRing.Create(members, 1);
            var after = HashRing.Create(members.Append("10.9.9.9:7070"), 2);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var moved = 0;
            for (var k = 0; k < keys; k++)
            {
                var key = "key-" + k.ToString(CultureInfo.InvariantCulture);
                var owner = before.Owner(key)!;
                counts[owner] = counts.GetValueOrDefault(owner) + 1;
                moved += after.Owner(key) == owner ? 0 : 1;
            }

            json.Append(CultureInfo.InvariantCulture, $"\"{n}\":{{\"maxOverMean\":{counts.Values.Max() / ((double)keys / n):R},\"movedOnJoin\":{(double)moved / keys:R}}},");
        }

        return json.ToString().TrimEnd(',') + "}";
    }

    /// <summary>Writes, one per line, the first <paramref name="count"/> keys <c>key-N</c> that <paramref name="self"/>
    /// does not own in the ring of <paramref name="members"/>: a peer-fetch workload with no local hits.</summary>
    public static void RemoteKeys(string self, IReadOnlyList<string> members, int count, TextWriter output)
    {
        var ring = HashRing.Create(members, 1);
        for (var k = 0; count > 0; k++)
        {
            var key = "key-" + k.ToString("D12", CultureInfo.InvariantCulture);
            if (ring.Owner(key) != self)
            {
                output.WriteLine(key);
                count--;
            }
        }
    }
}
