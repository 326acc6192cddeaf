using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Tests.Configuration;

public class ByteSizeTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("64Mi", 64L << 20)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("512Ki", 512L << 10)]
    [InlineData("100M", 100_000_000L)]
    [InlineData("2k", 2000L)]
    [InlineData("64e6", 64_000_000L)]
    [InlineData(" 10Mi ", 10L << 20)]
    public void ByteSize_ParsesKubernetesQuantities(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("10MB")]
    [InlineData("500m")]
    [InlineData("Mi")]
    [InlineData("lots")]
    public void ByteSize_RefusesWhatIsNotAByteQuantity(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData("99999999999Ei")]
    [InlineData("999999999999999e9")]
    [InlineData("9223372036854775808")]
    public void ByteSize_BeyondALong_Saturates(string text)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(long.MaxValue, bytes);
    }

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("64Mi", ByteSize.Format(64L << 20));
        Assert.Equal("1000", ByteSize.Format(1000));
    }
}
