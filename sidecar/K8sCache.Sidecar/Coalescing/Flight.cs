namespace K8sCache.Sidecar.Coalescing;

/// <summary>One call of a <see cref="SingleFlight{T}"/>, as the call itself sees it: whether a write detached it while
/// it ran. A detached call still answers the callers that joined it (they started before the write) but must not
/// store what it read, since that may be older than the write.</summary>
internal sealed class Flight
{
    private volatile bool _detached;

    public bool IsDetached => _detached;

    internal void MarkDetached() => _detached = true;
}
