using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Benchmarks.Grpc;

/// <summary>
/// One unary call over loopback through our gRPC layer: client framing, HttpClient's HTTP/2, Kestrel, server framing
/// and the way back. Server and client share the process, so the allocations reported are both sides of one call.
/// </summary>
[MemoryDiagnoser]
public class UnaryRoundTripBenchmark
{
    private static readonly GetResponse Answer = new()
    {
        Found = true,
        Value = ByteString.CopyFrom(new byte[100]),
        TtlMs = 1000,
        Source = CacheSource.Hit,
    };

    private LoopbackWebServer _server = null!;
    private GrpcChannel _channel = null!;
    private GetRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackWebServer.StartAsync(HttpProtocols.Http2, app => app.UseGrpcServices(new GrpcServerOptions(),
            new GrpcServiceDefinition(CacheService.Name).AddUnary(CacheService.Get, (_, _) => ValueTask.FromResult(Answer))))
            .GetAwaiter().GetResult();
        _channel = GrpcChannel.ForAddress(_server.Address);
        _request = new GetRequest { Group = "scores", Key = "Tom" };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task<GetResponse> UnaryGet() => _channel.UnaryAsync(CacheService.Get, _request);

    [Benchmark]
    public Task<GetResponse> UnaryGetWithDeadline() =>
        _channel.UnaryAsync(CacheService.Get, _request, new CallOptions(Timeout: TimeSpan.FromSeconds(5)));
}
