using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sCache.Client.Tests.Fixtures;

/// <summary>
/// An application as users write it: <c>AddK8sCache</c> pointed at its sidecar, <c>AddHybridCache()</c>, and the
/// loader of group "scores" mapped with <c>MapK8sCacheLoader</c>. The loader answers <c>score-of-KEY</c> after
/// <see cref="LoadDelay"/>, counts its calls, and for keys starting <c>missing-</c>, <c>fail-</c>, <c>nostore-</c>,
/// <c>ttl-</c> and <c>hang-</c> answers not found, throws, forbids caching, gives a 30 s lifetime, or waits until the
/// sidecar gives up.
/// </summary>
public sealed class Application : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Application(WebApplication app, string address, ConcurrentDictionary<string, int> loads, TaskCompletionSource hangCancelled)
    {
        _app = app;
        Address = address;
        Loads = loads;
        HangCancelled = hangCancelled;
    }

    public string Address { get; }

    public IServiceProvider Services => _app.Services;

    public ConcurrentDictionary<string, int> Loads { get; }

    /// <summary>Completes when a <c>hang-</c> load saw its token cancelled.</summary>
    public TaskCompletionSource HangCancelled { get; }

    public static TimeSpan LoadDelay { get; } = TimeSpan.FromMilliseconds(200);

    public static async Task<Application> StartAsync(Action<K8sCacheOptions> client)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddK8sCache(client);
        builder.Services.AddHybridCache();
        var app = builder.Build();
        var loads = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var hangCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.MapK8sCacheLoader("scores", async (key, cancellationToken) =>
        {
            loads.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (key.StartsWith("hang-", StringComparison.Ordinal))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                finally
                {
                    hangCancelled.TrySetResult();
                }
            }

            await Task.Delay(LoadDelay, cancellationToken);
            return key switch
            {
                _ when key.StartsWith("missing-", StringComparison.Ordinal) => K8sCacheLoad.NotFound,
                _ when key.StartsWith("fail-", StringComparison.Ordinal) => throw new InvalidOperationException("the database is down"),
                _ when key.StartsWith("nostore-", StringComparison.Ordinal) => K8sCacheLoad.DoNotCache("score-of-"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(key)).ToArray()),
                _ when key.StartsWith("ttl-", StringComparison.Ordinal) => K8sCacheLoad.Found("score-of-" + key, TimeSpan.FromSeconds(30)),
                _ => K8sCacheLoad.Found("score-of-" + key),
            };
        });
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Application(app, address, loads, hangCancelled);
    }

    public int LoadsOf(string key) => Loads.GetValueOrDefault(key);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
