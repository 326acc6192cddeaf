using K8sCache.Protocol.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>A real Kestrel server on 127.0.0.1 serving <see cref="TestCacheService"/> with prior-knowledge HTTP/2.</summary>
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

    public static async Task<GrpcTestServer> StartAsync(GrpcServerOptions? options = null, HttpProtocols protocols = HttpProtocols.Http2)
    {
        var service = new TestCacheService();
        var server = await LoopbackWebServer.StartAsync(protocols, app => app.UseGrpcServices(options ?? new GrpcServerOptions(), service.Definition));
        return new GrpcTestServer(server, service);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
