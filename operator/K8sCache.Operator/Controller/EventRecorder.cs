using System.Globalization;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Controller;

/// <summary>Writes core/v1 Events about a CacheGroup (what <c>kubectl describe cg</c> shows). An Event that cannot be
/// written is logged, never a reason to fail the reconcile.</summary>
internal sealed partial class EventRecorder(KubernetesClient client, TimeProvider timeProvider, ILogger logger)
{
    public const string Component = "k8scache-operator";

    public async Task RecordAsync(CacheGroup cg, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{cg.Metadata.Name}.{timeProvider.GetUtcNow().ToUnixTimeMilliseconds():x}{Random.Shared.Next(0x10000):x4}",
                ["namespace"] = cg.Metadata.Namespace,
            },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = CacheGroup.ApiVersionValue,
                ["kind"] = CacheGroup.KindValue,
                ["name"] = cg.Metadata.Name,
                ["namespace"] = cg.Metadata.Namespace,
                ["uid"] = cg.Metadata.Uid,
            },
            ["type"] = type,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = Component },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
        };
        try
        {
            await client.CreateAsync(ResourceType.Events, cg.Metadata.Namespace, ev, cancellationToken);
        }
        catch (KubernetesException e)
        {
            LogEventFailed(logger, reason, cg.Metadata.Namespace, cg.Metadata.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Namespace}/{Name}: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string? @namespace, string? name, string error);
}
