using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Resp;

namespace K8sCache.Sidecar.Tests.Resp;

public sealed class RespParserTests
{
    [Fact]
    public void ACommandSplitAtEveryByte_IsIncompleteUntilItsLastByte()
    {
        var frame = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$4\r\nkv:a\r\n$5\r\nhello\r\n");
        var request = new RespRequest();
        for (var length = 0; length < frame.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.Equal(RespParseStatus.Incomplete, RespParser.TryParse(ref partial, request, 1024, out _));
            Assert.Equal(length, partial.Length);
        }

        var whole = Segmented(frame, 3);
        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(ref whole, request, 1024, out _));
        Assert.Equal(0, whole.Length);
        Assert.Equal(["SET", "kv:a", "hello"], Enumerable.Range(0, request.Count).Select(request.Text));
    }

    [Fact]
    public void PipelinedCommands_AreReadOneAtATime()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"));
        var request = new RespRequest();

        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(ref buffer, request, 1024, out _));
        Assert.True(request.Is(0, "PING"u8));
        Assert.Equal(RespParseStatus.Empty, RespParser.TryParse(ref buffer, request, 1024, out _));
        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(ref buffer, request, 1024, out _));
        Assert.True(request.Is(0, "get"u8));
        Assert.Equal(RespParseStatus.Incomplete, RespParser.TryParse(ref buffer, request, 1024, out _));
    }

    [Theory]
    [InlineData("*-5\r\n", "Empty", "")]
    [InlineData("*1x\r\n", "Error", "Protocol error: invalid multibulk length")]
    [InlineData("*2000000\r\n", "Error", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n$99999999999999999999\r\n", "Error", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$2000\r\n", "Error", "Protocol error: the request is larger than Resp:MaxRequestBytes (1024 bytes)")]
    [InlineData("*2\r\n$600\r\n", "Incomplete", "")]
    [InlineData("*1\r\n+PING\r\n", "Error", "Protocol error: expected '$', got '+'")]
    public void Frames_AreCheckedAgainstTheLimits(string frame, string expected, string error)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(frame));

        Assert.Equal(expected, RespParser.TryParse(ref buffer, new RespRequest(), 1024, out var message).ToString());
        Assert.Equal(error, message);
    }

    [Fact]
    public void TheTotalOfAllArguments_CountsAgainstTheLimit()
    {
        var frame = "*3\r\n$3\r\nSET\r\n$500\r\n" + new string('k', 500) + "\r\n$600\r\n";
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(frame));

        Assert.Equal(RespParseStatus.Error, RespParser.TryParse(ref buffer, new RespRequest(), 1024, out var message));
        Assert.Contains("MaxRequestBytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void InlineCommands_SplitOnSpaces_AndAnOverlongLineIsAnError()
    {
        var buffer = new ReadOnlySequence<byte>("  SET  kv:x\tvalue \r\n"u8.ToArray());
        var request = new RespRequest();
        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(ref buffer, request, 1024, out _));
        Assert.Equal(["SET", "kv:x", "value"], Enumerable.Range(0, request.Count).Select(request.Text));

        var endless = new ReadOnlySequence<byte>(new byte[RespParser.MaxInlineBytes + 1].Select(_ => (byte)'a').ToArray());
        Assert.Equal(RespParseStatus.Error, RespParser.TryParse(ref endless, request, 1024, out var message));
        Assert.Equal("Protocol error: too big inline request", message);
    }

    /// <summary>The bytes in segments of <paramref name="size"/>, as a pipe delivers them.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        var chunks = bytes.Chunk(size).ToArray();
        var first = new Segment(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            last = last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
