using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace K8sCache.Benchmarks.Reports;

/// <summary>
/// <c>dotnet run … -- kestrel-baseline PORT</c>: a bare Kestrel HTTP/1.1 server on 127.0.0.1 answering every request
/// with 100 bytes, with the sidecar's GC settings. The ceiling the sidecar's HTTP API runs into: what Kestrel alone
/// serves on this machine with the same load generator (bench/scripts/kestrel-baseline.sh).
/// </summary>
internal static class KestrelBaseline
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var value = new byte[100];
        app.Run(context =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = value.Length;
            return context.Response.Body.WriteAsync(value, context.RequestAborted).AsTask();
        });
        await app.RunAsync();
    }
}
