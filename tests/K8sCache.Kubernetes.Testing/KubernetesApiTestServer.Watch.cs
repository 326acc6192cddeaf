using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Kubernetes.Testing;

/// <summary>List and watch: label selectors, Table output, history replay, bookmarks, and 410 Gone.</summary>
public sealed partial class KubernetesApiTestServer
{
    private async Task ListOrWatchAsync(HttpContext context, ApiResource resource, string? ns)
    {
        var query = context.Request.Query;
        var selector = LabelSelector.Parse(query["labelSelector"].ToString());
        if (query["watch"] is { Count: > 0 } watch && watch.ToString() is "true" or "1")
        {
            await WatchAsync(context, resource, ns, selector);
            return;
        }

        var (items, version) = Store.List(resource, ns, selector.Matches);
        if (context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
        {
            await WriteAsync(context, 200, TableWriter.Write(resource, items, version, DateTimeOffset.UtcNow));
            return;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = resource.Kind + "List",
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        });
    }

    private async Task WatchAsync(HttpContext context, ApiResource resource, string? ns, LabelSelector selector)
    {
        var query = context.Request.Query;
        var from = query["resourceVersion"].ToString() is { Length: > 0 } rv && rv != "0" ? long.Parse(rv, CultureInfo.InvariantCulture) : (long?)null;
        var timeout = TimeSpan.FromSeconds(int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) ? seconds : 300);
        var bookmarks = query["allowWatchBookmarks"] == "true";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ended.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        System.Threading.Channels.ChannelReader<StoredEvent> reader;
        try
        {
            reader = Store.Watch(resource, ns, from, ended.Token);
        }
        catch (ApiException e)
        {
            // A stale resourceVersion is reported inside the stream, as the API server does: an ERROR event with a Status.
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = e.Body }, CancellationToken.None);
            return;
        }

        await context.Response.StartAsync(ended.Token);
        try
        {
            while (!ended.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                tick.CancelAfter(BookmarkInterval);
                try
                {
                    var change = await reader.ReadAsync(tick.Token);
                    if (selector.Matches(change.Object))
                    {
                        await WriteLineAsync(context, new JsonObject { ["type"] = change.Type, ["object"] = change.Object.DeepClone() }, ended.Token);
                    }
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested && bookmarks)
                {
                    await WriteLineAsync(context, new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["kind"] = resource.Kind,
                            ["apiVersion"] = resource.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                        },
                    }, ended.Token);
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested)
                {
                    // No bookmarks asked for: keep waiting.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch timed out or the client went away: the stream ends.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Ended.
        }
    }
}
