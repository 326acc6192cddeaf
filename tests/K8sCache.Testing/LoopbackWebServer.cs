using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sCache.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 with an OS-chosen port (never a fixed one in the ephemeral range).</summary>
public sealed class LoopbackWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackWebServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary><c>http://127.0.0.1:PORT</c> (<c>https</c> with a certificate).</summary>
    public string Address { get; }

    public int Port => new Uri(Address).Port;

    /// <summary>Builds the server, lets <paramref name="services"/> add to its services and <paramref name="configure"/>
    /// set up its pipeline, and starts it. <see cref="HttpProtocols.Http2"/> is prior-knowledge HTTP/2 only, as gRPC
    /// endpoints are. With <paramref name="certificate"/> it serves https (ALPN picks HTTP/2 or HTTP/1.1).</summary>
    public static async Task<LoopbackWebServer> StartAsync(
        HttpProtocols protocols, Action<WebApplication> configure, Action<IServiceCollection>? services = null, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        configure(app);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackWebServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
    }
}
