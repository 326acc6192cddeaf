using System.Diagnostics;

namespace K8sCache.Sidecar.Coalescing;

/// <summary>One call of a <see cref="SingleFlight{T}"/>, as the call itself sees it: whether a write detached it while
/// it ran. A detached call still answers the callers that joined it (they started before the write) but must not
/// store what it read, since that may be older than the write. <see cref="Trace"/> is the span that started it, so a
/// caller that joins can link its own span to the work it waited for.</summary>
internal sealed class Flight
{
    private volatile bool _detached;

    public Flight()
    {
        Trace = Activity.Current?.Context ?? default;
    }

    public bool IsDetached => _detached;

    /// <summary>The span current when the call started; default when nothing was traced.</summary>
    public ActivityContext Trace { get; }

    internal void MarkDetached() => _detached = true;
}
