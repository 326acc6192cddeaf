using BenchmarkDotNet.Attributes;
using K8sCache.Sidecar.Caching;

namespace K8sCache.Benchmarks.Caching;

/// <summary>
/// One store's hit and write, for each layout: the object-per-entry LRU store and the slab S3-FIFO store. 10,000 keys of
/// 16 characters, 100-byte values. <c>Read</c> hands the value to a reader inside the lock (the Redis hit path),
/// <c>Get</c> returns a copy the caller owns, <c>Set</c> replaces a value. Baseline: LRU's read.
/// </summary>
[MemoryDiagnoser]
public class CacheStoreBenchmark
{
    private readonly byte[] _value = new byte[100];
    private ICacheStore _store = null!;
    private string[] _keys = null!;
    private int _next;

    [Params("Lru", "S3Fifo")]
    public string Layout { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _store = Layout == "Lru" ? new LruCacheStore(256L << 20) : new S3FifoCacheStore(256L << 20);
        _keys = Enumerable.Range(0, 10_000).Select(i => $"key-{i:D12}").ToArray();
        foreach (var key in _keys)
        {
            _store.Set(key, _value, 0);
        }
    }

    [Benchmark]
    public int Read()
    {
        var reader = new LengthReader();
        _store.TryRead(NextKey(), 0, ref reader);
        return reader.Length;
    }

    [Benchmark]
    public int Get() => _store.TryGet(NextKey(), 0, out var value) ? value.Value.Length : 0;

    [Benchmark]
    public bool Set() => _store.Set(NextKey(), _value, 0);

    private string NextKey() => _keys[_next++ % _keys.Length];

    private struct LengthReader : ICacheValueReader
    {
        public int Length;

        public void Read(scoped ReadOnlySpan<byte> value, long expiresAtMs) => Length = value.Length;
    }
}
