using System.Globalization;
using System.Text;
using K8sCache.Sidecar.Caching;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// Replays the same request streams through each eviction policy's store at several budgets and reports miss ratios,
/// as the S3-FIFO paper compares policies: a miss stores the key (100-byte value), a hit only reads it. Streams over
/// 100,000 keys, 2,000,000 requests, fixed seeds: Zipf 0.8 and 0.99; Zipf 0.99 with a scan of 20,000 one-time keys
/// every 100,000 requests; a loop over 15,000 keys (larger than every budget). Budgets: 1%, 5% and 10% of the keys.
/// </summary>
internal static class HitRatioReport
{
    private const int Keys = 100_000;
    private const int Requests = 2_000_000;
    private const int ValueBytes = 100;

    public static string Run()
    {
        var streams = new (string Name, int[] Stream)[]
        {
            ("Zipf 0.8", Zipf(0.8, seed: 1)),
            ("Zipf 0.99", Zipf(0.99, seed: 2)),
            ("Zipf 0.99 + scans", WithScans(Zipf(0.99, seed: 3))),
            ("loop of 15,000", Loop(15_000)),
        };
        var text = new StringBuilder("| workload | budget | LRU miss ratio | S3-FIFO miss ratio | S3-FIFO misses vs LRU |\n| --- | ---: | ---: | ---: | ---: |\n");
        var scans = new StringBuilder("\nThe scan workload's Zipf requests alone (the one-time keys miss under every policy):\n\n| budget | LRU miss ratio | S3-FIFO miss ratio | S3-FIFO misses vs LRU |\n| ---: | ---: | ---: | ---: |\n");
        foreach (var (name, stream) in streams)
        {
            foreach (var percent in new[] { 1, 5, 10 })
            {
                var (lru, lruWorking) = MissRatio(WithRoomFor(new LruCacheStore(0), Keys * percent / 100), stream);
                var (s3, s3Working) = MissRatio(WithRoomFor(new S3FifoCacheStore(0), Keys * percent / 100), stream);
                text.Append(CultureInfo.InvariantCulture, $"| {name} | {percent}% | {lru:P2} | {s3:P2} | {(s3 - lru) / lru:+0.0%;-0.0%;0.0%} |\n");
                if (stream.Max() >= Keys)
                {
                    scans.Append(CultureInfo.InvariantCulture, $"| {percent}% | {lruWorking:P2} | {s3Working:P2} | {(s3Working - lruWorking) / lruWorking:+0.0%;-0.0%;0.0%} |\n");
                }
            }
        }

        return text.Append(scans).ToString();
    }

    /// <summary>A budget of exactly that many entries in the store's own accounting, so policies compare at equal counts.</summary>
    private static ICacheStore WithRoomFor(ICacheStore store, int entries)
    {
        store.MaxBytes = store.SizeOf(Key(0), ValueBytes) * entries;
        return store;
    }

    /// <summary>The miss ratio over all requests, and over the requests for the key space's own keys (not the scans').</summary>
    private static (double All, double WorkingSet) MissRatio(ICacheStore store, int[] stream)
    {
        var keys = new string[stream.Max() + 1];
        var value = new byte[ValueBytes];
        var (misses, workingMisses, working) = (0, 0, 0);
        foreach (var id in stream)
        {
            var key = keys[id] ??= Key(id);
            working += id < Keys ? 1 : 0;
            if (!store.TryGet(key, 0, out _))
            {
                misses++;
                workingMisses += id < Keys ? 1 : 0;
                store.Set(key, value, 0);
            }
        }

        return ((double)misses / stream.Length, (double)workingMisses / working);
    }

    private static string Key(int id) => "k" + id.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Zipf-distributed key ids: rank r drawn with probability proportional to 1/r^alpha, ranks mapped to ids
    /// by a fixed random permutation.</summary>
    private static int[] Zipf(double alpha, int seed)
    {
        var cdf = new double[Keys];
        var sum = 0.0;
        for (var r = 0; r < Keys; r++)
        {
            sum += 1 / Math.Pow(r + 1, alpha);
            cdf[r] = sum;
        }

        var random = new Random(seed);
        var ids = Enumerable.Range(0, Keys).ToArray();
        random.Shuffle(ids);
        var stream = new int[Requests];
        for (var i = 0; i < Requests; i++)
        {
            var rank = Array.BinarySearch(cdf, random.NextDouble() * sum);
            stream[i] = ids[rank < 0 ? ~rank : rank];
        }

        return stream;
    }

    /// <summary>Every 100,000 requests, 20,000 keys asked once each and never again (ids beyond the key space).</summary>
    private static int[] WithScans(int[] stream)
    {
        var result = new List<int>(stream.Length * 6 / 5);
        var next = Keys;
        for (var i = 0; i < stream.Length; i++)
        {
            if (i % 100_000 == 50_000)
            {
                for (var s = 0; s < 20_000; s++)
                {
                    result.Add(next++);
                }
            }

            result.Add(stream[i]);
        }

        return [.. result];
    }

    private static int[] Loop(int length) => Enumerable.Range(0, Requests).Select(i => i % length).ToArray();
}
