using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>
/// The application side of a loader, on 127.0.0.1 with an OS-chosen port: <c>GET /load/{key}</c> answers
/// <c>value-of-KEY</c> after <see cref="Delay"/>, counting calls per key. Keys select failures: <c>missing-*</c> 404,
/// <c>fail-*</c> 500, <c>slow-*</c> signals <see cref="SlowStarted"/> and waits 1 s, <c>short-*</c> max-age=1.
/// </summary>
public sealed class TestLoaderServer : IAsyncDisposable
{
    private LoopbackWebServer? _server;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _slowStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string UrlTemplate { get; private set; } = string.Empty;

    /// <summary>How long each load takes: long enough that concurrent misses overlap.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(300);

    public Task SlowStarted => _slowStarted.Task;

    public int CallsFor(string key) => _calls.GetValueOrDefault(key);

    public int TotalCalls => _calls.Values.Sum();

    public static async Task<TestLoaderServer> StartAsync()
    {
        var loader = new TestLoaderServer();
        loader._server = await LoopbackWebServer.StartAsync(HttpProtocols.Http1, app => app.Run(loader.HandleAsync));
        loader.UrlTemplate = loader._server.Address + "/load/{key}";
        return loader;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

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
