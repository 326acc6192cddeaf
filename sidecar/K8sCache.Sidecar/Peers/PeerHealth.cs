namespace K8sCache.Sidecar.Peers;

/// <summary>
/// What this node knows about one peer's liveness, and its lease on the hot copies it holds of that peer's keys.
/// <list type="bullet">
/// <item>Failure detection: <see cref="FailuresToMarkDown"/> failed calls in a row (timeouts, refused connections) mark
/// the peer down; any successful call marks it up. A down peer's keys are loaded locally without waiting on it.</item>
/// <item>The lease: a ping answered by the peer lets this node serve hot copies of the peer's keys until the ping's
/// send time plus the lease length. The peer waits out that lease before it reports a write whose invalidation this
/// node did not acknowledge, so a copy that missed an invalidation is never served after the write returned.</item>
/// </list>
/// Transitions are returned to the caller, which logs them and drops hot copies.
/// </summary>
internal sealed class PeerHealth(int failuresToMarkDown, long leaseMs)
{
    private readonly Lock _lock = new();
    private int _failures;
    private volatile bool _down;
    private long _leaseUntilMs = long.MinValue;
    private ulong? _seenMissed;

    public int FailuresToMarkDown { get; } = failuresToMarkDown;

    public bool IsDown => _down;

    /// <summary>Hot copies of this peer's keys may be served: the lease runs, or the peer is down and this node
    /// serves what it loaded itself (the fallback of a dead owner).</summary>
    public bool CopiesServable(long nowMs) => _down || nowMs < Volatile.Read(ref _leaseUntilMs);

    public HealthChange RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            if (!_down)
            {
                return HealthChange.None;
            }

            _down = false;
            return HealthChange.CameUp;
        }
    }

    public HealthChange RecordFailure()
    {
        lock (_lock)
        {
            _failures++;
            if (_down || _failures < FailuresToMarkDown)
            {
                return HealthChange.None;
            }

            _down = true;
            Volatile.Write(ref _leaseUntilMs, long.MinValue);
            return HealthChange.WentDown;
        }
    }

    /// <summary>True when the peer's count of invalidations it could not deliver to this node differs from the last
    /// one seen (or none was seen yet): the caller must drop its hot copies before <see cref="RenewLease"/>.
    /// <paramref name="known"/> says whether a count had been seen before, so a change means misses happened since.</summary>
    public bool MissedChanged(ulong missed, out bool known)
    {
        lock (_lock)
        {
            known = _seenMissed is not null;
            var changed = _seenMissed != missed;
            _seenMissed = missed;
            return changed;
        }
    }

    /// <summary>Extends the lease to <paramref name="pingSentAtMs"/> plus the lease length (never shortens it).</summary>
    public void RenewLease(long pingSentAtMs)
    {
        var until = pingSentAtMs + leaseMs;
        lock (_lock)
        {
            if (!_down && until > _leaseUntilMs)
            {
                Volatile.Write(ref _leaseUntilMs, until);
            }
        }
    }
}
