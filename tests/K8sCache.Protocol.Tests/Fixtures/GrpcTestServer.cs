using System.Net;
using K8sCache.Protocol.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>A real Kestrel server on 127.0.0.1 with an OS-chosen port, serving gRPC with prior-knowledge HTTP/2.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, TestCacheService service, int port)
    {
        _app = app;
        Service = service;
        Port = port;
    }

    public TestCacheService Service { get; }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    public static async Task<GrpcTestServer> StartAsync(GrpcServerOptions? options = null, HttpProtocols protocols = HttpProtocols.Http2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols));
        var app = builder.Build();
        var service = new TestCacheService();
        app.UseGrpcServices(options ?? new GrpcServerOptions(), service.Definition);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new GrpcTestServer(app, service, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
    }
}
