using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// After an owner applies a write, every other member drops its copy of the key, all at once. A member that does not
/// acknowledge within the invalidation budget is recorded as having missed it, and the write waits until that member's
/// lease on hot copies has ended (at most the lease length), so it cannot serve the old copy after the write returns.
/// The members that missed it are reported; the write itself stands.
/// </summary>
internal sealed class InvalidationFanOut(string node, string group, IPeerPicker picker, TimeProvider timeProvider, ILogger logger)
{
    private static readonly Task<IReadOnlyList<string>> NoneMissed = Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>The members that did not acknowledge (each waited out), or none.</summary>
    public Task<IReadOnlyList<string>> InvalidateOthersAsync(string key)
    {
        var others = picker.Others;
        return others.Count == 0 ? NoneMissed : InvalidateAllAsync(others, key);
    }

    private async Task<IReadOnlyList<string>> InvalidateAllAsync(IReadOnlyList<IPeer> others, string key)
    {
        var calls = new Task<string?>[others.Count];
        for (var i = 0; i < others.Count; i++)
        {
            calls[i] = InvalidateOneAsync(others[i], key);
        }

        var missed = await Task.WhenAll(calls);
        return missed.Where(a => a is not null).Select(a => a!).ToArray();
    }

    private async Task<string?> InvalidateOneAsync(IPeer peer, string key)
    {
        if (!peer.IsDown)
        {
            try
            {
                await peer.InvalidateAsync(group, key, Defaults.InvalidationBudget, CancellationToken.None);
                return null;
            }
            catch (PeerCallException e)
            {
                NodeLog.InvalidateFailed(logger, node, group, peer.Address, e.Message);
            }
        }

        var leaseEnds = peer.RecordMissedInvalidation();
        var wait = leaseEnds == long.MinValue ? 0 : leaseEnds - MonotonicClock.NowMs(timeProvider);
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), timeProvider);
        }

        return peer.Address;
    }
}
