namespace K8sCache.Sidecar.Caching;

/// <summary>Milliseconds from a <see cref="TimeProvider"/>'s monotonic timestamp: expiry times must not jump when the
/// wall clock is set. Only differences are meaningful; nodes never compare these values with each other.</summary>
internal static class MonotonicClock
{
    public static long NowMs(TimeProvider timeProvider)
    {
        var timestamp = timeProvider.GetTimestamp();
        return (long)(timestamp / (double)timeProvider.TimestampFrequency * 1000);
    }
}
