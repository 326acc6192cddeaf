using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>Serves a server-streaming method: read one request message, let the handler write its responses.</summary>
internal sealed class ServerStreamingServerCallHandler<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) : ServerCallHandler
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override string Path => method.Path;

    protected override async Task InvokeAsync(HttpContext http, ServerCallContext context, int maxReceiveMessageSize)
    {
        var request = await RequestMessageReader.ReadSingleAsync(
            http.Request.BodyReader, method.RequestParser, maxReceiveMessageSize, context.CancellationToken);
        await handler(request, new ResponseStreamWriter<TResponse>(http.Response), context);
    }
}
