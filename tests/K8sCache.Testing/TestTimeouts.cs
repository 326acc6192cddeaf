namespace K8sCache.Testing;

/// <summary>Upper bounds for awaits in tests, so a hang fails fast instead of eating CI's time. Never a pass condition.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);
}
