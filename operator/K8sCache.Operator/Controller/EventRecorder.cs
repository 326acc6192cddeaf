using k8s;
using k8s.Models;
using K8sCache.Operator.Api;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Controller;

/// <summary>Writes core/v1 Events about a CacheGroup (what <c>kubectl describe cg</c> shows). An Event that cannot be
/// written is logged, never a reason to fail the reconcile.</summary>
internal sealed partial class EventRecorder(ClusterApi client, TimeProvider timeProvider, ILogger logger)
{
    public const string Component = "k8scache-operator";

    public async Task RecordAsync(CacheGroup cg, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{cg.Metadata.Name}.{timeProvider.GetUtcNow().ToUnixTimeMilliseconds():x}{Random.Shared.Next(0x10000):x4}",
                NamespaceProperty = cg.Metadata.Namespace,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = CacheGroup.ApiVersionValue,
                Kind = CacheGroup.KindValue,
                Name = cg.Metadata.Name,
                NamespaceProperty = cg.Metadata.Namespace,
                Uid = cg.Metadata.Uid,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = Component },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await client.WriteAsync((api, token) => api.CoreV1.CreateNamespacedEventAsync(ev, cg.Metadata.Namespace, cancellationToken: token), cancellationToken);
        }
        catch (ClusterApiException e)
        {
            LogEventFailed(logger, reason, cg.Metadata.Namespace, cg.Metadata.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Namespace}/{Name}: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string? @namespace, string? name, string error);
}
