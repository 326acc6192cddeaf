using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// <c>dotnet run … -- grpc-gets ADDRESS GROUP KEYS SECONDS</c>: Gets of random keys <c>key-NNNNNNNNNNNN</c> (the ones
/// <c>load</c> writes) through a sidecar's gRPC Cache service, 64 calls in flight for SECONDS; prints Gets per second
/// and the p50 and p99 latency. The client is Grpc.Net.Client, so two sidecars measured with it differ only on the
/// server side.
/// </summary>
internal static class GrpcGets
{
    private const int InFlight = 64;

    public static async Task RunAsync(string address, string group, int keys, int seconds)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var cache = new Cache.CacheClient(channel);
        await cache.GetAsync(new GetRequest { Group = group, Key = Key(0) });
        var latencies = new List<double>[InFlight];
        var end = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            var random = new Random(worker);
            while (Stopwatch.GetTimestamp() < end)
            {
                var started = Stopwatch.GetTimestamp();
                await cache.GetAsync(new GetRequest { Group = group, Key = Key(random.Next(keys)) });
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{all.Length / (double)seconds:F0} gets/s, p50 {all[all.Length / 2]:F2} ms, p99 {all[(int)(all.Length * 0.99)]:F2} ms"));
    }

    private static string Key(int i) => "key-" + i.ToString("D12", CultureInfo.InvariantCulture);
}
