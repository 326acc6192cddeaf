using Microsoft.Extensions.Logging;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>Log events of the gRPC server layer. Event ids are stable: 1000–1099.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "gRPC handler of {Method} threw an unexpected exception")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "gRPC call {Method} ended with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "gRPC request refused with HTTP {HttpStatus}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, int httpStatus, string reason);
}
