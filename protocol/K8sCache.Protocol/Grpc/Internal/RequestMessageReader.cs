using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>Reads the request message of a unary or server-streaming call from Kestrel's request pipe.</summary>
internal static class RequestMessageReader
{
    /// <summary>
    /// Reads exactly one message and the end of the request stream. No message, a second message, or a stream that ends
    /// inside a frame are INTERNAL (as in grpc-go and grpc-java); the size limit is checked on the prefix, before the
    /// payload is buffered.
    /// </summary>
    public static async ValueTask<T> ReadSingleAsync<T>(
        PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        T? message = default;
        var received = false;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryReadFrame(ref buffer, maxMessageSize, out var payload))
            {
                if (received)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new RpcException(StatusCode.Internal, "The request carried more than one message; this method takes one.");
                }

                message = Parse(parser, payload);
                received = true;
                reader.AdvanceTo(buffer.Start);
                continue;
            }

            if (result.IsCompleted)
            {
                var incomplete = buffer.Length > 0;
                reader.AdvanceTo(buffer.End);
                if (incomplete)
                {
                    throw new RpcException(StatusCode.Internal, "The request ended inside a message frame: incomplete message.");
                }

                if (!received)
                {
                    throw new RpcException(StatusCode.Internal, "The request did not include a message.");
                }

                return message!;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Cuts one whole frame off the front of <paramref name="buffer"/>; false when more bytes are needed.</summary>
    internal static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var length = MessageFraming.ReadHeader(header, maxMessageSize, "request");
        if (buffer.Length < GrpcProtocol.HeaderSize + (long)length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(GrpcProtocol.HeaderSize + (long)length);
        return true;
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(StatusCode.Internal, $"The request message is not valid protobuf: {e.Message}");
        }
    }
}
