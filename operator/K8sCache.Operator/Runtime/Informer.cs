using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Runtime;

/// <summary>
/// List, then watch from the list's resource version, forever: every object seen (listed, added, modified, deleted) is
/// handed to <c>onChange</c>. Bookmarks advance the resource version; a 410 Gone (the version was compacted away)
/// relists; other failures retry the watch from the last version after a backoff.
/// </summary>
internal sealed partial class Informer(
    ClusterApi client, ResourceType type, string? ns, string? labelSelector, Action<JsonObject> onChange,
    TimeProvider timeProvider, ILogger logger)
{
    /// <summary>How long one watch request lasts before the client starts the next (the server may end it sooner).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Completes after the first successful list: the informer has seen every existing object.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Relists so far (the first list not counted).</summary>
    public int Relists { get; private set; }

    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = await client.ListAsync(type, ns, labelSelector, cancellationToken);
                    foreach (var item in list.Items)
                    {
                        onChange(item);
                    }

                    resourceVersion = list.ResourceVersion;
                    if (!_synced.TrySetResult())
                    {
                        Relists++;
                    }
                }

                await foreach (var change in client.WatchAsync(type, ns, resourceVersion, labelSelector, WatchTimeout, cancellationToken))
                {
                    resourceVersion = change.ResourceVersion ?? resourceVersion;
                    if (change.Type != "BOOKMARK")
                    {
                        onChange(change.Object);
                    }

                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ClusterApiException e) when (e.IsGone)
            {
                LogRelist(logger, type.Plural, e.StatusMessage);
                resourceVersion = null;
            }
            catch (Exception e) when (e is ClusterApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                LogWatchFailed(logger, type.Plural, e.Message);
                try
                {
                    await Task.Delay(Backoff.Default.Delay(failures++, Random.Shared), timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Watch of {Resource} expired ({Reason}); relisting")]
    private static partial void LogRelist(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Watch of {Resource} failed: {Reason}; retrying")]
    private static partial void LogWatchFailed(ILogger logger, string resource, string reason);
}
