using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>The <see cref="IServerStreamWriter{T}"/> a server-streaming handler writes to.</summary>
internal sealed class ResponseStreamWriter<T>(HttpResponse response) : IServerStreamWriter<T>
    where T : IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken) =>
        ResponseMessageWriter.WriteAsync(response, message, cancellationToken).AsTask();
}
