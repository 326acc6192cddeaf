namespace K8sCache.Sidecar.PubSub;

internal static partial class PubSubLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Pub/sub: {Count} messages for {Peer} were dropped: {Reason}")]
    public static partial void RelayFailed(ILogger logger, string peer, int count, string reason);
}
