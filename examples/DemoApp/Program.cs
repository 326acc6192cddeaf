using K8sCache.Client;
using K8sCache.DemoApp;

// GET /k8scache/scores/{name}  the loader the sidecar calls on a miss (a slow "database" query), once per cold key
//                              in the whole cluster
// GET /leaderboard/{name}      what users call: the score through the cluster cache
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("URLS") ?? "http://0.0.0.0:8080");
builder.Services.AddK8sCache();
var app = builder.Build();
var scores = new ScoreTable(app.Logger);

app.MapGet("/healthz", () => "ok\n");
app.MapK8sCacheLoader("scores", scores.LoadAsync);
app.MapGet("/leaderboard/{name}", async (string name, IK8sCache cache, CancellationToken cancellationToken) =>
    await cache.GetStringAsync("scores", name, cancellationToken) is { } score
        ? Results.Text($"{name}: {score}\n")
        : Results.Text($"{name}: no score\n", statusCode: StatusCodes.Status404NotFound));

app.Run();
