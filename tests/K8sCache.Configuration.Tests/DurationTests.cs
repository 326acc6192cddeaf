namespace K8sCache.Configuration.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2d", 172_800_000)]
    [InlineData("0", 0)]
    public void Duration_ParsesGoStyleDurations(string text, long expectedMs)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(expectedMs, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("5")]
    [InlineData("-5s")]
    [InlineData("5 s")]
    [InlineData("5y")]
    [InlineData("")]
    public void Duration_RefusesWhatIsNotADuration(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("5m", Duration.Format(TimeSpan.FromMinutes(5)));
        Assert.Equal("1500ms", Duration.Format(TimeSpan.FromMilliseconds(1500)));
    }
}
