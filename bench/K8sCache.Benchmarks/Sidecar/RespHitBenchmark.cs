using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using K8sCache.Metrics;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.PubSub;
using K8sCache.Sidecar.Resp;
using K8sCache.Sidecar.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Benchmarks.Sidecar;

/// <summary>
/// A Redis GET hit, whole: parse the request from the bytes a client sends, resolve <c>GROUP:KEY</c>, look the key up
/// and write the reply into the connection's pipe. Must allocate nothing per command. Baseline: the main-cache hit
/// through <see cref="Group.GetAsync"/> with a ready-made string key. The Prometheus exporter listens, as in a running
/// sidecar, so each hit pays for its latency histogram. <see cref="Tracing"/> on: a listener records every span of the
/// sidecar's source, as an OTLP exporter would (without the export).
/// </summary>
[MemoryDiagnoser]
public class RespHitBenchmark
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly RespRequest _request = new();
    private readonly RespSession _session = new(1, authenticated: true);
    private PeerSet _peers = null!;
    private CacheNode _node = null!;
    private RespCommands _commands = null!;
    private Group _group = null!;
    private PrometheusTextExporter _exporter = null!;
    private System.Diagnostics.ActivityListener? _tracer;
    private byte[][] _frames = null!;
    private string[] _keys = null!;
    private int _next;

    [Params(false, true)]
    public bool Tracing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Tracing)
        {
            _tracer = new System.Diagnostics.ActivityListener
            {
                ShouldListenTo = source => source.Name == SidecarTracing.SourceName,
                Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            };
            System.Diagnostics.ActivitySource.AddActivityListener(_tracer);
        }

        var options = new SidecarOptions
        {
            Self = "127.0.0.1:7070",
            Discovery = "static:///127.0.0.1:7070",
            PeerTokenFile = "/dev/null",
            Groups = [new GroupOptions { Name = "bench", MaxBytes = 256L << 20 }],
        };
        _peers = new PeerSet(options.Self, new PeerClientSettings("token-token-token-token", TimeSpan.FromSeconds(2), 1 << 20, 3, TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger.Instance);
        _peers.UpdateMembers([options.Self]);
        _node = new CacheNode(options, _peers, static (_, _) => null, TimeProvider.System, NullLogger.Instance);
        _commands = new RespCommands(_node, _peers, new MessageBus(_peers, () => _node.Options.Resp, NullLogger.Instance), new RespStats(), NullLogger.Instance);
        _group = _node.GetGroup("bench");
        _exporter = new PrometheusTextExporter(SidecarInstruments.Meter);
        _exporter.AddHistograms("k8scache_get_duration_seconds", "Gets", () => _group.Latency.Series);
        _keys = Enumerable.Range(0, 10_000).Select(i => $"key-{i:D12}").ToArray();
        foreach (var key in _keys)
        {
            _group.ApplySetAsync(key, new byte[100], 0).GetAwaiter().GetResult();
        }

        _frames = _keys.Select(k => Encoding.ASCII.GetBytes($"*2\r\n$3\r\nGET\r\n${k.Length + 6}\r\nbench:{k}\r\n")).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracer?.Dispose();
        _exporter.Dispose();
        _node.Dispose();
        _peers.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int GroupHit() => _group.GetAsync(_keys[_next++ % _keys.Length], default).GetAwaiter().GetResult().Value.Length;

    [Benchmark]
    public long RespGetHit()
    {
        var frame = _frames[_next++ % _frames.Length];
        RespParser.TryParse(frame, _request, 1 << 20, out _, out _);
        _commands.ExecuteAsync(_request, _session, _pipe.Writer).GetAwaiter().GetResult();
        _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out var written);
        var length = written.Buffer.Length;
        _pipe.Reader.AdvanceTo(written.Buffer.End);
        return length;
    }
}
