using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Peers;

public class PeerTokensTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void AfterARotation_TheNewTokenIsSent_AndBothAreAccepted_UntilTheGraceEnds()
    {
        var tokens = new PeerTokens("old-token-0123456789", TimeSpan.FromMinutes(10), _clock);

        var rotated = tokens.Rotate("new-token-0123456789");
        var during = (tokens.Accepts("Bearer old-token-0123456789"), tokens.Accepts("Bearer new-token-0123456789"));
        _clock.Advance(TimeSpan.FromMinutes(10));
        var after = (tokens.Accepts("Bearer old-token-0123456789"), tokens.Accepts("Bearer new-token-0123456789"));

        Assert.True(rotated);
        Assert.Equal("new-token-0123456789", tokens.Current);
        Assert.Equal((true, true), during);
        Assert.Equal((false, true), after);
    }

    [Fact]
    public void TheSameToken_IsNoRotation_AndOthersAreRefused()
    {
        var tokens = new PeerTokens("token-0123456789abcdef", TimeSpan.FromMinutes(10), _clock);

        Assert.False(tokens.Rotate("token-0123456789abcdef"));
        Assert.False(tokens.Accepts("Bearer guessed-0123456789abcdef"));
        Assert.False(tokens.Accepts("token-0123456789abcdef"));
        Assert.False(tokens.Accepts(string.Empty));
    }
}
