using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Benchmarks.Grpc;

/// <summary>
/// One unary call over loopback through the gRPC stack the sidecar uses: Grpc.Net.Client, HttpClient's HTTP/2,
/// Kestrel, Grpc.AspNetCore and the way back. Server and client share the process, so the allocations reported are
/// both sides of one call.
/// </summary>
[MemoryDiagnoser]
public class UnaryRoundTripBenchmark
{
    private LoopbackWebServer _server = null!;
    private GrpcChannel _channel = null!;
    private Cache.CacheClient _client = null!;
    private GetRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackWebServer.StartAsync(HttpProtocols.Http2, app => app.MapGrpcService<FixedAnswer>(), services => services.AddGrpc())
            .GetAwaiter().GetResult();
        _channel = GrpcChannel.ForAddress(_server.Address);
        _client = new Cache.CacheClient(_channel);
        _request = new GetRequest { Group = "scores", Key = "Tom" };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task<GetResponse> UnaryGet() => _client.GetAsync(_request).ResponseAsync;

    [Benchmark]
    public Task<GetResponse> UnaryGetWithDeadline() => _client.GetAsync(_request, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync;

    /// <summary>Answers every Get with the same 100-byte value.</summary>
    private sealed class FixedAnswer : Cache.CacheBase
    {
        private static readonly GetResponse Answer = new()
        {
            Found = true,
            Value = ByteString.CopyFrom(new byte[100]),
            TtlMs = 1000,
            Source = CacheSource.Hit,
        };

        public override Task<GetResponse> Get(GetRequest request, ServerCallContext context) => Task.FromResult(Answer);
    }
}
