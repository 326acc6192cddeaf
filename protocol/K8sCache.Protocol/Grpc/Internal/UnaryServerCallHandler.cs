using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>Serves a unary method: read exactly one request message, call the handler, write its one response.</summary>
internal sealed class UnaryServerCallHandler<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) : ServerCallHandler
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override string Path => method.Path;

    protected override async Task InvokeAsync(HttpContext http, ServerCallContext context, int maxReceiveMessageSize)
    {
        var request = await RequestMessageReader.ReadSingleAsync(
            http.Request.BodyReader, method.RequestParser, maxReceiveMessageSize, context.CancellationToken);
        var response = await handler(request, context);
        await ResponseMessageWriter.WriteAsync(http.Response, response, context.CancellationToken);
    }
}
