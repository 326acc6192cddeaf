using BenchmarkDotNet.Attributes;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Benchmarks.Sidecar;

/// <summary>
/// The in-process hot paths: a main-cache hit through <see cref="Group.GetAsync"/> (must allocate nothing) and a
/// ring lookup over 3 and 100 members. Baseline: the hit.
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmark
{
    private Group _group = null!;
    private HashRing _ring3 = null!;
    private HashRing _ring100 = null!;
    private string[] _keys = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _group = new Group("self", new GroupOptions { Name = "bench", MaxBytes = 256L << 20 }, null, new NoPeers(),
            TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance);
        _keys = Enumerable.Range(0, 10_000).Select(i => $"key-{i:D12}").ToArray();
        foreach (var key in _keys)
        {
            _group.ApplySetAsync(key, new byte[100], 0).GetAwaiter().GetResult();
        }

        _ring3 = HashRing.Create(Enumerable.Range(0, 3).Select(i => $"10.0.0.{i}:7070"), 1);
        _ring100 = HashRing.Create(Enumerable.Range(0, 100).Select(i => $"10.0.{i / 200}.{i % 200}:7070"), 1);
    }

    [Benchmark(Baseline = true)]
    public int CacheHit() => _group.GetAsync(NextKey(), default).GetAwaiter().GetResult().Value.Length;

    [Benchmark]
    public string? RingLookup3() => _ring3.Owner(NextKey());

    [Benchmark]
    public string? RingLookup100() => _ring100.Owner(NextKey());

    private string NextKey() => _keys[_next++ % _keys.Length];

    private sealed class NoPeers : IPeerPicker
    {
        public IReadOnlyList<IPeer> Others => [];

        public IPeer? PickOwner(string key) => null;
    }
}
