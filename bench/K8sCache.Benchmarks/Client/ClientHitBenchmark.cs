using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using K8sCache.Client;

namespace K8sCache.Benchmarks.Client;

/// <summary>
/// A hit through <see cref="IK8sCache.GetAsync"/> against the raw round trip it rides on: the same <c>GET</c> bytes
/// written to a socket and the reply read into a reused buffer. Both against one real sidecar process on loopback
/// (started here, stopped by its PID). Target: the client within 10% of the raw round trip, allocating only the value
/// it returns (100 bytes: 128 B with the array header).
/// </summary>
[MemoryDiagnoser]
public class ClientHitBenchmark
{
    private const string Ip = "127.73.0.1";
    private readonly byte[] _request = Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$9\r\nbench:hit\r\n");
    private readonly byte[] _reply = new byte[4096];
    private string _directory = null!;
    private K8sCache.Testing.ChildProcess _sidecar = null!;
    private K8sCacheClient _client = null!;
    private Socket _raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("k8scache-client-bench-").FullName;
        File.WriteAllText(Path.Combine(_directory, "token"), "bench-token-0123456789abcdef");
        File.WriteAllText(Path.Combine(_directory, "config.json"), $$"""
            { "K8sCache": { "Self": "{{Ip}}:7070", "PeerAddress": "{{Ip}}:7070", "ApiAddress": "{{Ip}}:7071", "GrpcAddress": "{{Ip}}:7072",
              "AdminAddress": "{{Ip}}:9090", "RespAddress": "{{Ip}}:6379", "PeerTokenFile": "{{_directory}}/token",
              "Groups": [ { "Name": "bench", "MaxBytes": "64Mi" } ] } }
            """);
        _sidecar = K8sCache.Testing.ChildProcess.Start("dotnet", AppContext.BaseDirectory,
            [Path.Combine(AppContext.BaseDirectory, "k8scache-sidecar.dll"), "--config", Path.Combine(_directory, "config.json")], captureOutput: true);
        _client = new K8sCacheClient(new K8sCacheOptions { Endpoint = $"{Ip}:6379", MaxConnections = 1 });
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _client.SetAsync("bench", "hit", new byte[100]).AsTask().GetAwaiter().GetResult();
                break;
            }
            catch (K8sCacheException) when (attempt < 100)
            {
                Thread.Sleep(100);
            }
        }

        _raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _raw.Connect(IPAddress.Parse(Ip), 6379);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _client.Dispose();
        _sidecar.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> RawRoundTrip()
    {
        await _raw.SendAsync(_request, SocketFlags.None);
        var read = 0;
        // "$100\r\n" + 100 bytes + "\r\n"
        while (read < 108)
        {
            read += await _raw.ReceiveAsync(_reply.AsMemory(read), SocketFlags.None);
        }

        return read;
    }

    [Benchmark]
    public async Task<int> ClientGet() => (await _client.GetAsync("bench", "hit"))!.Length;

    /// <summary>The same Get, 1,000 per invocation: the benchmark harness's own async state (192 B per invocation)
    /// is spread over them, so <c>Allocated</c> is what one Get allocates — the target is the value alone, 128 B.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public async Task<int> ClientGetSteady()
    {
        var total = 0;
        for (var i = 0; i < 1000; i++)
        {
            total += (await _client.GetAsync("bench", "hit"))!.Length;
        }

        return total;
    }
}
