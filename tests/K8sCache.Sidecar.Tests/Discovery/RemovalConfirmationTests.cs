using K8sCache.Sidecar.Discovery;

namespace K8sCache.Sidecar.Tests.Discovery;

public class RemovalConfirmationTests
{
    [Fact]
    public void Additions_AreAppliedAtOnce()
    {
        var confirmation = new RemovalConfirmation();

        Assert.Equal(["a", "b", "c"], confirmation.Decide(["a", "b"], ["a", "b", "c"], "a"));
    }

    [Fact]
    public void ARemoval_SeenOnce_IsHeld_AndTheNextFullAnswerCancelsIt()
    {
        var confirmation = new RemovalConfirmation();

        Assert.Null(confirmation.Decide(["a", "b", "c"], [], "a"));
        Assert.Equal(["a", "b", "c"], confirmation.Decide(["a", "b", "c"], ["a", "b", "c"], "a"));
        Assert.Null(confirmation.Decide(["a", "b", "c"], ["a", "c"], "a"));
    }

    [Fact]
    public void ARemoval_SeenTwiceInARow_IsApplied()
    {
        var confirmation = new RemovalConfirmation();

        Assert.Null(confirmation.Decide(["a", "b", "c"], ["a", "c"], "a"));
        Assert.Equal(["a", "c"], confirmation.Decide(["a", "b", "c"], ["a", "c"], "a"));
    }

    [Fact]
    public void TwoDifferentShortAnswers_DoNotConfirmEachOther()
    {
        var confirmation = new RemovalConfirmation();

        Assert.Null(confirmation.Decide(["a", "b", "c"], ["a", "c"], "a"));
        Assert.Null(confirmation.Decide(["a", "b", "c"], ["a", "b"], "a"));
    }
}
