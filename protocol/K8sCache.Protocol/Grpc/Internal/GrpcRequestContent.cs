using System.Buffers;
using System.Net;
using Google.Protobuf;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>The body of a client call: one framed message, serialized into a pooled buffer when HttpClient asks.</summary>
internal sealed class GrpcRequestContent : HttpContent
{
    private readonly IMessage _message;

    public GrpcRequestContent(IMessage message)
    {
        _message = message;
        Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var size = _message.CalculateSize();
        var length = GrpcProtocol.HeaderSize + size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            MessageFraming.Write(_message, size, buffer);
            await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // No Content-Length, as real gRPC clients send none: the stream's end marks the end of the messages.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
