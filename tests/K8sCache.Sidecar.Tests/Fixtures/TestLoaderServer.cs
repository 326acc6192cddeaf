using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>
/// The application side of a loader, on 127.0.0.1 with an OS-chosen port: <c>GET /load/{key}</c> answers
/// <c>value-of-KEY</c> after <see cref="Delay"/>, counting calls per key. Keys select failures: <c>missing-*</c> 404,
/// <c>fail-*</c> 500, <c>slow-*</c> signals <see cref="SlowStarted"/> and waits 1 s, <c>short-*</c> max-age=1,
/// <c>versioned-*</c> answers <c>v</c> + <see cref="OriginVersion"/> as read when the load starts (a database read),
/// and, after <see cref="Hold"/>, holds loads that read that version until <see cref="ReleaseHeld"/>: a slow load the
/// test controls.
/// </summary>
public sealed class TestLoaderServer : IAsyncDisposable
{
    private LoopbackWebServer? _server;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _traceParents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _userAgents = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _slowStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _originVersion = 1;

    public string UrlTemplate { get; private set; } = string.Empty;

    /// <summary>How long each load takes: long enough that concurrent misses overlap.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(300);

    public Task SlowStarted => _slowStarted.Task;

    /// <summary>The origin's current version of every <c>versioned-*</c> key.</summary>
    public int OriginVersion
    {
        get => Volatile.Read(ref _originVersion);
        set => Volatile.Write(ref _originVersion, value);
    }

    /// <summary>Loads that read this version wait for <see cref="ReleaseHeld"/>; null: none wait.</summary>
    public int? HoldVersion { get; set; }

    /// <summary>Completes when a held load has started.</summary>
    public Task LoadHeld => _held.Task;

    /// <summary>Holds loads of <paramref name="version"/> from now on, with a fresh <see cref="LoadHeld"/>.</summary>
    public void Hold(int version)
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldVersion = version;
    }

    public void ReleaseHeld() => _release.TrySetResult();

    public int CallsFor(string key) => _calls.GetValueOrDefault(key);

    public int TotalCalls => _calls.Values.Sum();

    /// <summary>The W3C <c>traceparent</c> header of the last load of <paramref name="key"/>, if it had one.</summary>
    public string? TraceParentFor(string key) => _traceParents.GetValueOrDefault(key);

    /// <summary>The User-Agent of the last load of <paramref name="key"/>: it names the node that loaded.</summary>
    public string? UserAgentFor(string key) => _userAgents.GetValueOrDefault(key);

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
        _userAgents[key] = context.Request.Headers.UserAgent.ToString();
        if (context.Request.Headers.TryGetValue("traceparent", out var traceParent))
        {
            _traceParents[key] = traceParent.ToString();
        }

        if (key.StartsWith("versioned-", StringComparison.Ordinal))
        {
            var version = OriginVersion;
            if (version == HoldVersion)
            {
                var release = _release;
                _held.TrySetResult();
                await release.Task.WaitAsync(TestTimeouts.Default);
            }

            await context.Response.WriteAsync("v" + version);
            return;
        }

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
