using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Sidecar.LocalMode;

/// <summary>
/// The demo origin of local mode: the score table of groupcache's seed examples, served at <c>/scores/{name}</c> with
/// a 100 ms delay standing in for a database query. Every request it serves is logged, so a reader sees that one
/// cold key costs one load however many nodes are asked.
/// </summary>
internal static partial class DemoLoader
{
    public static readonly IReadOnlyDictionary<string, string> Scores = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Tom"] = "630",
        ["Jack"] = "589",
        ["Sam"] = "567",
        ["Peter"] = "999",
        ["Alice"] = "742",
        ["Bob"] = "512",
    };

    public static WebApplication Build(int port)
    {
        // An empty builder, as the sidecar's own: the default one's appsettings.json reload watcher would put an inotify
        // watch on every directory under the working directory (the repository's root, where the README starts it).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DemoLoader");
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            var name = path.StartsWith("/scores/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path["/scores/".Length..]) : null;
            await Task.Delay(100, context.RequestAborted);
            if (name is not null && Scores.TryGetValue(name, out var score))
            {
                LogQuery(logger, context.Request.Headers.UserAgent.ToString(), name, true);
                context.Response.Headers.CacheControl = "max-age=300";
                await context.Response.WriteAsync(score, context.RequestAborted);
                return;
            }

            LogQuery(logger, context.Request.Headers.UserAgent.ToString(), name ?? path, false);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        });
        return app;
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "demo loader, asked by {Node}: SELECT score FROM scores WHERE name = '{Name}' (found: {Found})")]
    private static partial void LogQuery(ILogger logger, string node, string name, bool found);
}
