namespace K8sCache.Sidecar.Resp;

internal static partial class RespLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "A Redis command failed unexpectedly")]
    public static partial void CommandFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Redis connection {Id} refused: {Open} connections are open, the limit is Resp:MaxConnections={Limit}")]
    public static partial void TooManyConnections(ILogger logger, long id, long open, int limit);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Redis connection {Id} closed: {Reason}")]
    public static partial void ProtocolError(ILogger logger, long id, string reason);
}
