using K8sCache.Client;

namespace K8sCache.DemoApp;

/// <summary>The seed examples' score table behind a 100 ms "query", logged so the one load per key is visible.</summary>
internal sealed partial class ScoreTable(ILogger logger)
{
    private static readonly Dictionary<string, string> Scores = new(StringComparer.Ordinal)
    {
        ["Tom"] = "630",
        ["Jack"] = "589",
        ["Sam"] = "567",
        ["Peter"] = "999",
        ["Alice"] = "742",
        ["Bob"] = "512",
    };

    public async ValueTask<K8sCacheLoad> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await Task.Delay(100, cancellationToken);
        var found = Scores.TryGetValue(name, out var score);
        LogQuery(logger, name, found);
        return found ? K8sCacheLoad.Found(score!, TimeSpan.FromMinutes(5)) : K8sCacheLoad.NotFound;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SELECT score FROM scores WHERE name = '{Name}' (found: {Found})")]
    private static partial void LogQuery(ILogger logger, string name, bool found);
}
