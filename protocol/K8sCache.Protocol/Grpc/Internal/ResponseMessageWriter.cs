using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>Writes one framed response message straight into Kestrel's response pipe, with no intermediate buffer.</summary>
internal static class ResponseMessageWriter
{
    public static async ValueTask WriteAsync(HttpResponse response, IMessage message, CancellationToken cancellationToken)
    {
        Frame(response, message);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    // Kept apart from the async method: spans cannot live across an await.
    private static void Frame(HttpResponse response, IMessage message)
    {
        var size = message.CalculateSize();
        var writer = response.BodyWriter;
        var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
        MessageFraming.Write(message, size, span);
        writer.Advance(GrpcProtocol.HeaderSize + size);
    }
}
