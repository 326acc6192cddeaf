using System.Buffers;
using Google.Protobuf;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.Grpc.Internal;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Grpc;

public class MessageFramingTests
{
    [Fact]
    public void Write_PrefixesFlagZeroAndBigEndianLength()
    {
        var message = new GetRequest { Group = "g", Key = "k" };
        var size = message.CalculateSize();
        var frame = new byte[GrpcProtocol.HeaderSize + size];

        MessageFraming.Write(message, size, frame);

        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)size }, frame[..5]);
        Assert.Equal(message, GetRequest.Parser.ParseFrom(frame.AsSpan(5)));
    }

    [Fact]
    public void ReadHeader_CompressedFlag_IsUnimplemented()
    {
        var e = Assert.Throws<RpcException>(() => MessageFraming.ReadHeader([1, 0, 0, 0, 1], 100, "request"));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Contains("Compressed", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_UnknownFlag_IsInternal()
    {
        var e = Assert.Throws<RpcException>(() => MessageFraming.ReadHeader([7, 0, 0, 0, 1], 100, "request"));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public void ReadHeader_LengthAboveLimit_IsResourceExhaustedNamingTheLimit()
    {
        var e = Assert.Throws<RpcException>(() => MessageFraming.ReadHeader([0, 0xFF, 0xFF, 0xFF, 0xFF], 4096, "request"));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("4294967295 > 4096", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_NeedsTheWholeFrame_ThenCutsExactlyOne()
    {
        var first = Frame(new GetRequest { Key = "a" });
        var second = Frame(new GetRequest { Key = "bb" });
        var all = first.Concat(second).ToArray();

        for (var cut = 0; cut < first.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(all, 0, cut);
            Assert.False(RequestMessageReader.TryReadFrame(ref partial, 100, out _));
        }

        var buffer = new ReadOnlySequence<byte>(all);
        Assert.True(RequestMessageReader.TryReadFrame(ref buffer, 100, out var payload));
        Assert.Equal("a", GetRequest.Parser.ParseFrom(payload).Key);
        Assert.Equal(second.Length, buffer.Length);
    }

    internal static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[GrpcProtocol.HeaderSize + size];
        MessageFraming.Write(message, size, frame);
        return frame;
    }
}
