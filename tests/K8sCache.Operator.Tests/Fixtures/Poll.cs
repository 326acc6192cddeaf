namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>Waits for a condition that a background loop brings about, within a bound; the test then asserts the
/// state itself, so the bound is never what makes a test pass.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Default);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
