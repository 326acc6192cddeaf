using K8sCache.Protocol.Grpc.Internal;

namespace K8sCache.Protocol.Tests.Grpc;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("200m", 2_000_000L)]
    [InlineData("150u", 1_500L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void TryParse_ValidHeader_ReturnsTimeout(string header, long expectedTicks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("+1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void TryParse_MalformedHeader_Fails(string header) =>
        Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData(0L, "1n")]
    [InlineData(-5L, "1n")]
    [InlineData(10L, "1000n")]
    [InlineData(2_000_000L, "200000u")]
    [InlineData(50_000_000L, "5000000u")]
    [InlineData(1_000_000_000L, "100000m")]
    [InlineData(36_000_000_000_000L, "3600000S")]
    [InlineData(1_728_000_000_000_000L, "2880000M")]
    public void Format_UsesFinestUnitThatFitsEightDigits(long ticks, string expected) =>
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void Format_RoundsUp_SoThePeerNeverSeesAnEarlierDeadline()
    {
        // 1.0000001 s does not fit in 8 digits of nanoseconds or microseconds; milliseconds round it up.
        var formatted = GrpcTimeout.Format(TimeSpan.FromTicks(10_000_001 * 10));
        Assert.True(GrpcTimeout.TryParse(formatted, out var parsed));
        Assert.True(parsed >= TimeSpan.FromTicks(10_000_001 * 10), formatted);
    }

    [Fact]
    public void Format_ThenParse_RoundTrips()
    {
        foreach (var ms in new[] { 1, 7, 250, 1_000, 59_999, 3_600_000 })
        {
            var timeout = TimeSpan.FromMilliseconds(ms);
            Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(timeout), out var parsed));
            Assert.Equal(timeout, parsed);
        }
    }
}
