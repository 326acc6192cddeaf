using BenchmarkDotNet.Attributes;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Benchmarks.Sidecar;

/// <summary>
/// The in-process hot paths: a main-cache hit through <see cref="Group.GetAsync"/> (must allocate nothing), a hot-cache
/// hit (the copy of another owner's key: a ring lookup and the owner's lease checked on top), and a ring lookup over 3
/// and 100 members. Baseline: the main hit.
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmark
{
    private Group _group = null!;
    private Group _hotGroup = null!;
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
        _hotGroup = new Group("10.0.0.9:7070", new GroupOptions { Name = "bench", MaxBytes = 256L << 20 }, null, new RemoteOwner(_ring3),
            TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance);
        foreach (var key in _keys)
        {
            _hotGroup.Hot.Set(key, new byte[100], 0);
        }

        _ring100 = HashRing.Create(Enumerable.Range(0, 100).Select(i => $"10.0.{i / 200}.{i % 200}:7070"), 1);
    }

    [Benchmark(Baseline = true)]
    public int CacheHit() => _group.GetAsync(NextKey(), default).GetAwaiter().GetResult().Value.Length;

    [Benchmark]
    public int HotHit() => _hotGroup.GetAsync(NextKey(), default).GetAwaiter().GetResult().Value.Length;

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

    /// <summary>Every key belongs to another member (a ring lookup names it) whose lease runs.</summary>
    private sealed class RemoteOwner(HashRing ring) : IPeerPicker
    {
        private readonly PeerWithLease _peer = new();

        public IReadOnlyList<IPeer> Others => [_peer];

        public IPeer? PickOwner(string key) => ring.Owner(key) is null ? null : _peer;
    }

    private sealed class PeerWithLease : IPeer
    {
        private readonly PeerHealth _health = new(3, long.MaxValue / 2);

        public PeerWithLease() => _health.RenewLease(0);

        public string Address => "10.0.0.1:7070";

        public bool IsDown => _health.IsDown;

        public bool CopiesServable(long nowMs) => _health.CopiesServable(nowMs);

        public Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        public long RecordMissedInvalidation() => long.MinValue;
    }
}
