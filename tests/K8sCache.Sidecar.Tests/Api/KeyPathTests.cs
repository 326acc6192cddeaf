using K8sCache.Sidecar.Api;

namespace K8sCache.Sidecar.Tests.Api;

public class KeyPathTests
{
    [Theory]
    [InlineData("/v1/groups/scores/keys/Tom", "scores", "Tom")]
    [InlineData("/v1/groups/scores/keys/Tom?ttl=30s", "scores", "Tom")]
    [InlineData("/v1/groups/scores/keys/a/b/c", "scores", "a/b/c")]
    [InlineData("/v1/groups/scores/keys/a%2Fb", "scores", "a/b")]
    [InlineData("/v1/groups/scores/keys/%E5%80%BC%20x", "scores", "值 x")]
    public void TryParse_SplitsGroupAndKey(string target, string group, string key)
    {
        Assert.True(KeyPath.TryParse(target, out var g, out var k));
        Assert.Equal((group, key), (g, k));
    }

    [Theory]
    [InlineData("/v1/groups/scores/Tom")]
    [InlineData("/v1/groups//keys/Tom")]
    [InlineData("/v1/groups/a/b/keys/Tom")]
    [InlineData("/v2/groups/scores/keys/Tom")]
    public void TryParse_RefusesOtherPaths(string target) => Assert.False(KeyPath.TryParse(target, out _, out _));

    [Fact]
    public void TryParse_EmptyKey_IsLeftToTheValidator()
    {
        Assert.True(KeyPath.TryParse("/v1/groups/scores/keys/", out _, out var key));
        Assert.Equal(string.Empty, key);
    }
}
