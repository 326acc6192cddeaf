using System.Globalization;
using K8sCache.Sidecar.Caching;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// What one store costs per entry in-process, without a server around it: 1,000,000 entries of 16-byte keys and
/// 100-byte values set into one layout, then the managed heap after a full collection and the process's RSS, each
/// against the same figures before. Separates the store's own cost from what a running sidecar adds (buffers, requests).
/// Prints one table row.
/// </summary>
internal static class StoreMemoryReport
{
    private const int Entries = 1_000_000;

    /// <summary>One layout per process (<c>S3Fifo</c> or <c>Lru</c>), so memory one keeps does not count against the other.</summary>
    public static string Run(string layout)
    {
        var (name, create) = layout == "Lru"
            ? ("LRU (object per entry)", (Func<ICacheStore>)(() => new LruCacheStore(1L << 34)))
            : ("S3-FIFO (slab pages)", () => new S3FifoCacheStore(1L << 34));
        var (heap, rss) = (Heap(), Rss());
        var store = create();
        for (var i = 0; i < Entries; i++)
        {
            // A value array per Set, as a request brings: a store that keeps the array pays for it.
            store.Set("key-" + i.ToString("D12", CultureInfo.InvariantCulture), new byte[100], 0);
        }

        var (heapAfter, rssAfter) = (Heap(), Rss());
        GC.KeepAlive(store);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {store.Bytes / (double)Entries:F0} | {(heapAfter - heap) / (double)Entries:F0} | {(rssAfter - rss) / (double)Entries:F0} |\n");
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
