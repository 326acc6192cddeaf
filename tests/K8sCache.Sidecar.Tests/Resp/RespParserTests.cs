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
            Assert.Equal(RespParseStatus.Incomplete, RespParser.TryParse(frame.AsSpan(0, length), request, 1024, out var none, out _));
            Assert.Equal(0, none);
        }

        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(frame, request, 1024, out var consumed, out _));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(["SET", "kv:a", "hello"], Enumerable.Range(0, request.Count).Select(request.Text));
    }

    [Fact]
    public void PipelinedCommands_AreReadOneAtATime()
    {
        ReadOnlySpan<byte> buffer = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        var request = new RespRequest();

        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(buffer, request, 1024, out var consumed, out _));
        Assert.True(request.Is(0, "PING"u8));
        buffer = buffer[consumed..];
        Assert.Equal(RespParseStatus.Empty, RespParser.TryParse(buffer, request, 1024, out consumed, out _));
        buffer = buffer[consumed..];
        Assert.Equal(RespParseStatus.Command, RespParser.TryParse(buffer, request, 1024, out consumed, out _));
        Assert.True(request.Is(0, "get"u8));
        Assert.Equal(RespParseStatus.Incomplete, RespParser.TryParse(buffer[consumed..], request, 1024, out _, out _));
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
        Assert.Equal(expected, RespParser.TryParse(Encoding.ASCII.GetBytes(frame), new RespRequest(), 1024, out _, out var message).ToString());
        Assert.Equal(error, message);
    }

    [Fact]
    public void TheTotalOfAllArguments_CountsAgainstTheLimit()
    {
        var frame = "*3\r\n$3\r\nSET\r\n$500\r\n" + new string('k', 500) + "\r\n$600\r\n";
        Assert.Equal(RespParseStatus.Error, RespParser.TryParse(Encoding.ASCII.GetBytes(frame), new RespRequest(), 1024, out _, out var message));
        Assert.Contains("MaxRequestBytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void InlineCommands_SplitOnSpaces_AndAnOverlongLineIsAnError()
    {
        var request = new RespRequest();
        Assert.Equal(RespParseStatus.Command, RespParser.TryParse("  SET  kv:x\tvalue \r\n"u8, request, 1024, out _, out _));
        Assert.Equal(["SET", "kv:x", "value"], Enumerable.Range(0, request.Count).Select(request.Text));

        var endless = new byte[RespParser.MaxInlineBytes + 1].Select(_ => (byte)'a').ToArray();
        Assert.Equal(RespParseStatus.Error, RespParser.TryParse(endless, request, 1024, out _, out var message));
        Assert.Equal("Protocol error: too big inline request", message);
    }
}
