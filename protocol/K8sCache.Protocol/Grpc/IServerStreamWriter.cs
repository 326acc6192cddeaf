namespace K8sCache.Protocol.Grpc;

/// <summary>Writes the response messages of a server-streaming call.</summary>
/// <typeparam name="T">The response message.</typeparam>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the caller.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken);
}
