using K8sCache.DemoApp;

// GET /scores/{name}       the loader endpoint the sidecar calls on a miss (a slow "database" query)
// GET /leaderboard/{name}  what users call: reads the score through the sidecar on localhost
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("URLS") ?? "http://0.0.0.0:8080");
var app = builder.Build();
var cacheUrl = new Uri(Environment.GetEnvironmentVariable("CACHE_URL") ?? "http://127.0.0.1:7071");
var scores = new ScoreTable(app.Logger);
using var sidecar = new HttpClient { BaseAddress = cacheUrl, Timeout = TimeSpan.FromSeconds(5) };

app.MapGet("/healthz", () => "ok\n");
app.MapGet("/scores/{name}", scores.LoadAsync);
app.MapGet("/leaderboard/{name}", async (string name, HttpContext context) =>
{
    using var response = await sidecar.GetAsync($"/v1/groups/scores/keys/{Uri.EscapeDataString(name)}", context.RequestAborted);
    var source = response.Headers.TryGetValues("X-Cache", out var values) ? values.First() : "miss";
    if (!response.IsSuccessStatusCode)
    {
        return Results.Text($"{name}: no score ({(int)response.StatusCode}, {source})\n", statusCode: (int)response.StatusCode);
    }

    return Results.Text($"{name}: {await response.Content.ReadAsStringAsync(context.RequestAborted)} (cache: {source})\n");
});

app.Run();
