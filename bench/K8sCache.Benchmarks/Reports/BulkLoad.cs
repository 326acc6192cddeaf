using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// <c>dotnet run … -- load ADDRESS GROUP COUNT VALUE_BYTES</c>: Sets COUNT keys <c>key-NNNNNNNNNNNN</c> (16 bytes) with
/// VALUE_BYTES-byte values through a sidecar's gRPC Cache service, 64 calls in flight, and stops when all are written.
/// </summary>
internal static class BulkLoad
{
    public static async Task RunAsync(string address, string group, int count, int valueBytes)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var cache = new Cache.CacheClient(channel);
        var value = ByteString.CopyFrom(new byte[valueBytes]);
        var next = -1;
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await cache.SetAsync(new SetRequest
                {
                    Group = group,
                    Key = "key-" + i.ToString("D12", CultureInfo.InvariantCulture),
                    Value = value,
                });
            }
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded {count} keys in {(DateTime.UtcNow - started).TotalSeconds:F1} s"));
    }
}
