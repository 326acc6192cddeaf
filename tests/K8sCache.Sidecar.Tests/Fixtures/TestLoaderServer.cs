using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>
/// The application side of a loader, on 127.0.0.1 with an OS-chosen port: <c>GET /load/{key}</c> answers
/// <c>value-of-KEY</c> after <see cref="Delay"/>, counting calls per key. Keys select failures: <c>missing-*</c> 404,
/// <c>fail-*</c> 500, <c>slow-*</c> signals <see cref="SlowStarted"/> and waits 1 s, <c>short-*</c> max-age=1.
/// </summary>
public sealed class TestLoaderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _slowStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestLoaderServer(WebApplication app) => _app = app;

    public string UrlTemplate { get; private set; } = string.Empty;

    /// <summary>How long each load takes: long enough that concurrent misses overlap.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(300);

    public Task SlowStarted => _slowStarted.Task;

    public int CallsFor(string key) => _calls.GetValueOrDefault(key);

    public int TotalCalls => _calls.Values.Sum();

    public static async Task<TestLoaderServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TestLoaderServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.UrlTemplate = address + "/load/{key}";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var key = Uri.UnescapeDataString(context.Request.Path.Value!["/load/".Length..]);
        _calls.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (key.StartsWith("slow-", StringComparison.Ordinal))
        {
            _slowStarted.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        else
        {
            await Task.Delay(Delay);
        }

        if (key.StartsWith("missing-", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (key.StartsWith("fail-", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 500;
            return;
        }

        if (key.StartsWith("short-", StringComparison.Ordinal))
        {
            context.Response.Headers.CacheControl = "max-age=1";
        }

        await context.Response.WriteAsync("value-of-" + key);
    }
}
