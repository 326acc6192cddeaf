using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Peers;

/// <summary>Another node, as the read and write paths see it: in their own terms, never the wire's. A failed call
/// throws <see cref="PeerCallException"/>.</summary>
internal interface IPeer
{
    /// <summary>The peer's address as the ring names it.</summary>
    string Address { get; }

    /// <summary>The failure detector marked the peer down: do not wait on it.</summary>
    bool IsDown { get; }

    /// <summary>Hot copies of this peer's keys may be served now (see <see cref="PeerHealth"/>).</summary>
    bool CopiesServable(long nowMs);

    /// <summary>The owner's Get: from its caches or its loader, never forwarded further.</summary>
    Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken);

    /// <summary>The owner's Gets of several keys in one call: each key's answer goes to <paramref name="onAnswer"/> as
    /// it arrives, in any order. The task fails with <see cref="PeerCallException"/> when the call as a whole does; keys
    /// not answered by then have no answer. Without a batch call of its own, a peer is asked one Get per key.</summary>
    async Task GetManyAsync(string group, IReadOnlyList<string> keys, Action<PeerBatchAnswer> onAnswer, CancellationToken cancellationToken)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            try
            {
                onAnswer(new PeerBatchAnswer(i, await GetAsync(group, keys[i], cancellationToken), null));
            }
            catch (PeerCallException e) when (e.Failure is not (PeerFailure.Unreachable or PeerFailure.TimedOut))
            {
                onAnswer(new PeerBatchAnswer(i, null, e));
            }
        }
    }

    /// <summary>What the peer holds for the key in its caches, never loading it: a new owner asking the previous one.</summary>
    Task<PeerValue> GetCachedAsync(string group, string key, CancellationToken cancellationToken) => Task.FromResult(new PeerValue(false, [], 0));

    /// <summary>Forwards a Set; the owner checks <paramref name="condition"/> and <paramref name="keepTtl"/> under the
    /// key's lock.</summary>
    Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken);

    Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken);

    /// <summary>Whether the owner holds the key, and its remaining lifetime; never loads it.</summary>
    Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken);

    Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken);

    /// <summary>Runs an atomic program on the peer (the owner of its keys, or the member a SCAN step addresses).</summary>
    Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken);

    /// <summary>Asks the peer to drop its copy of the key, waiting at most <paramref name="timeout"/>.</summary>
    Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Records that the peer did not acknowledge an invalidation. Returns when every hot-copy lease the peer
    /// may hold has ended, in this node's monotonic milliseconds (<see cref="long.MinValue"/>: already).</summary>
    long RecordMissedInvalidation();
}
