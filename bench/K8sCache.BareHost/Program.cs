using System.Net;
using System.Text.Json;

// k8scache-barehost --config PATH: listens on the sidecar configuration's K8sCache:AdminAddress and answers every
// request (/readyz among them), so bench/scripts/sidecar-start.py starts it as it starts a sidecar.
var config = args.Length == 2 && args[0] == "--config" ? args[1] : throw new ArgumentException("usage: k8scache-barehost --config PATH");
using var document = JsonDocument.Parse(File.ReadAllText(config));
var admin = IPEndPoint.Parse(document.RootElement.GetProperty("K8sCache").GetProperty("AdminAddress").GetString()!);

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseKestrelCore();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(admin));
var app = builder.Build();
app.Run(context => context.Response.WriteAsync("ready"));
await app.RunAsync();
