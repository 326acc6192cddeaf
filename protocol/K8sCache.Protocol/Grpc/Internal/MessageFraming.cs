using System.Buffers.Binary;
using Google.Protobuf;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// The length-prefixed message of gRPC over HTTP/2. Every message on the stream, in either direction, is framed so:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Compressed (8)|            Message-Length (32, big endian)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |               |    Message (Message-Length octets) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Compressed is 0 (identity) or 1 (compressed with the stream's grpc-encoding); this layer only sends 0 and refuses 1.
/// </summary>
internal static class MessageFraming
{
    /// <summary>Writes the frame of <paramref name="message"/> into <paramref name="destination"/>, which must hold
    /// <c>HeaderSize + size</c> bytes, where <paramref name="size"/> is the message's <c>CalculateSize()</c>.</summary>
    public static void Write(IMessage message, int size, Span<byte> destination)
    {
        WriteHeader(destination, compressed: false, size);
        message.WriteTo(destination.Slice(GrpcProtocol.HeaderSize, size));
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>
    /// Reads a prefix. Returns the declared length, or throws the status a real gRPC peer answers with: a compressed
    /// message is UNIMPLEMENTED (no codec is negotiated), a flag other than 0 or 1 INTERNAL, a length above the limit
    /// RESOURCE_EXHAUSTED.
    /// </summary>
    public static int ReadHeader(ReadOnlySpan<byte> header, int maxMessageSize, string direction)
    {
        var flag = header[0];
        if (flag == 1)
        {
            throw new RpcException(StatusCode.Unimplemented,
                $"Compressed {direction} messages are not supported: send messages uncompressed (grpc-encoding identity).");
        }

        if (flag != 0)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {flag} in {direction} message prefix; expected 0 or 1.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received {direction} message exceeds the maximum message size: {length} > {maxMessageSize} bytes.");
        }

        return (int)length;
    }
}
