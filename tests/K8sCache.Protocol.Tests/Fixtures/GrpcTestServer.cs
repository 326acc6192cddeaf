using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>A real Kestrel server on 127.0.0.1 serving <see cref="TestCacheService"/> on Grpc.AspNetCore, with
/// prior-knowledge HTTP/2, as the sidecar serves its gRPC services.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly LoopbackWebServer _server;

    private GrpcTestServer(LoopbackWebServer server, TestCacheService service)
    {
        _server = server;
        Service = service;
    }

    public TestCacheService Service { get; }

    public int Port => _server.Port;

    public string Address => _server.Address;

    public static async Task<GrpcTestServer> StartAsync()
    {
        var service = new TestCacheService();
        var server = await LoopbackWebServer.StartAsync(HttpProtocols.Http2, app => app.MapGrpcService<TestCacheService>(), services =>
        {
            services.AddGrpc();
            services.AddSingleton(service);
        });
        return new GrpcTestServer(server, service);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
