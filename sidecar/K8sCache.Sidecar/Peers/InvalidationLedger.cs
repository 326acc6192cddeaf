namespace K8sCache.Sidecar.Peers;

/// <summary>
/// The owner's side of the hot-copy lease with one peer: when this node last answered the peer's ping, and how many
/// invalidations the peer missed. Both change under one lock, so every ping answer either came before a miss was
/// recorded (and its lease ends by <see cref="RecordMiss"/>'s answer) or carries the new count (and the peer drops its
/// copies before renewing).
/// </summary>
internal sealed class InvalidationLedger(long leaseMs)
{
    private readonly Lock _lock = new();
    private ulong _missed;
    private long _lastAnsweredMs = long.MinValue;

    public ulong Missed
    {
        get
        {
            lock (_lock)
            {
                return _missed;
            }
        }
    }

    /// <summary>Records that this node answers the peer's ping now; returns the count the answer carries.</summary>
    public ulong AnswerPing(long nowMs)
    {
        lock (_lock)
        {
            _lastAnsweredMs = nowMs;
            return _missed;
        }
    }

    /// <summary>Records an invalidation the peer did not acknowledge. Returns when every lease the peer holds from
    /// earlier answers has ended (in this node's monotonic milliseconds; <see cref="long.MinValue"/>: already).</summary>
    public long RecordMiss()
    {
        lock (_lock)
        {
            _missed++;
            return _lastAnsweredMs == long.MinValue ? long.MinValue : _lastAnsweredMs + leaseMs;
        }
    }
}
