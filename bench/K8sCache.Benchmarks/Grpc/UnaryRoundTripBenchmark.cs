using System.Net;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    private WebApplication _app = null!;
    private GrpcChannel _channel = null!;
    private GetRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        _app.UseGrpcServices(new GrpcServerOptions(), new GrpcServiceDefinition(CacheService.Name)
            .AddUnary(CacheService.Get, (_, _) => ValueTask.FromResult(Answer)));
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _channel = GrpcChannel.ForAddress(address);
        _request = new GetRequest { Group = "scores", Key = "Tom" };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task<GetResponse> UnaryGet() => _channel.UnaryAsync(CacheService.Get, _request);

    [Benchmark]
    public Task<GetResponse> UnaryGetWithDeadline() =>
        _channel.UnaryAsync(CacheService.Get, _request, new CallOptions(Timeout: TimeSpan.FromSeconds(5)));
}
