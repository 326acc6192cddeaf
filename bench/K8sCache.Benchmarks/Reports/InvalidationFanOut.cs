using System.Diagnostics;
using System.Globalization;
using System.Text;
using K8sCache.Client;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// What keeping in-process caches coherent costs: one writer and INSTANCES application instances (AddK8sCache, spread
/// over the sidecars round-robin) that each hold a key in memory, as HybridCache would after reading it; then the
/// writer changes the key, and the time until the last instance dropped its copy is measured, from the start of the
/// write and from its return. WRITES keys, one after another. Also counts the invalidation messages each instance got.
/// </summary>
internal static class InvalidationFanOut
{
    private static readonly DistributedCacheEntryOptions Lifetime = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) };

    public static async Task RunAsync(string[] endpoints, string group, int instances, int writes)
    {
        var providers = Enumerable.Range(0, instances + 1).Select(i => Instance(endpoints[i % endpoints.Length], group)).ToArray();
        try
        {
            var writer = providers[0].GetRequiredService<IDistributedCache>();
            var readers = providers[1..].Select(p => (Cache: p.GetRequiredService<IDistributedCache>(), Memory: p.GetRequiredService<IMemoryCache>(), Coherence: p.GetRequiredService<LocalCacheCoherence>())).ToArray();
            var value = new byte[100];
            var (fromStart, fromReturn, messages) = (new List<double>(), new List<double>(), 0L);
            for (var w = 0; w < writes; w++)
            {
                var key = $"fanout-{w:D6}";
                await writer.SetAsync(key, value, Lifetime);
                foreach (var reader in readers)
                {
                    reader.Memory.Set(key, await reader.Cache.GetAsync(key) ?? throw new InvalidOperationException("the value was not stored"));
                }

                var seen = readers.Sum(r => r.Coherence.EventsSeen);
                var started = Stopwatch.GetTimestamp();
                await writer.SetAsync(key, value, Lifetime);
                var returned = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                foreach (var reader in readers)
                {
                    while (reader.Memory.TryGetValue(key, out _))
                    {
                        if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
                        {
                            throw new TimeoutException($"an instance kept '{key}' for 10 s after it changed");
                        }

                        await Task.Yield();
                    }
                }

                var evicted = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                fromStart.Add(evicted);
                fromReturn.Add(Math.Max(0, evicted - returned));
                messages += readers.Sum(r => r.Coherence.EventsSeen) - seen;
            }

            var frame = FrameBytes(group, "fanout-000000");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{instances} instances, {writes} writes: last copy gone after p50 {Percentile(fromStart, 0.5):F2} ms, p99 {Percentile(fromStart, 0.99):F2} ms, max {fromStart.Max():F2} ms from the write's start; " +
                $"after its return p50 {Percentile(fromReturn, 0.5):F2} ms, p99 {Percentile(fromReturn, 0.99):F2} ms; " +
                $"{(double)messages / writes:F2} messages per write to the readers ({frame} bytes each), plus 1 to the writer"));
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }

    /// <summary>The RESP2 message the sidecar writes to one subscriber: <c>*3 message CHANNEL KEY</c>.</summary>
    private static int FrameBytes(string group, string key)
    {
        static int Bulk(int length) => 1 + length.ToString(CultureInfo.InvariantCulture).Length + 2 + length + 2;
        return "*3\r\n".Length + Bulk("message".Length) + Bulk(Encoding.UTF8.GetByteCount(InvalidationSubscription.ChannelPrefix + group)) + Bulk(key.Length);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private static ServiceProvider Instance(string endpoint, string group)
    {
        var services = new ServiceCollection();
        services.AddK8sCache(o => (o.Endpoint, o.DefaultGroup) = (endpoint, group));
        return services.BuildServiceProvider();
    }
}
