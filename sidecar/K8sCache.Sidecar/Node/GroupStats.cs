namespace K8sCache.Sidecar.Node;

/// <summary>
/// A group's counters, in groupcache's vocabulary so its users recognise them. Plain fields bumped with Interlocked:
/// the hot path pays one atomic add per counter and allocates nothing; metrics observe them at scrape time.
/// </summary>
internal sealed class GroupStats
{
    /// <summary>Every Get, from applications and peers.</summary>
    public long Gets;

    /// <summary>Answered from the main cache.</summary>
    public long CacheHits;

    /// <summary>Answered from the hot cache.</summary>
    public long HotHits;

    /// <summary>Fetched from the owning peer (successfully).</summary>
    public long PeerLoads;

    /// <summary>Peer calls that failed (the read then loaded locally).</summary>
    public long PeerErrors;

    /// <summary>Misses loaded locally at once because their owner was marked down (no peer call, no wait).</summary>
    public long OwnerDownLoads;

    /// <summary>Gets that missed both caches (before deduplication); groupcache calls this Loads. One name everywhere:
    /// <c>misses</c> in /v1/stats and <c>k8scache_misses_total</c> in metrics.</summary>
    public long Misses;

    /// <summary>Misses that joined a call already in flight instead of starting one.</summary>
    public long LoadsDeduped;

    /// <summary>Calls of the loader.</summary>
    public long LocalLoads;

    /// <summary>Loader calls that failed.</summary>
    public long LocalLoadErrors;

    /// <summary>Gets that came from peers.</summary>
    public long ServerRequests;

    /// <summary>Hot copies and entries dropped because an owner said the key changed.</summary>
    public long Invalidations;

    /// <summary>Entries handed to this node by another that gave up their keys, and stored.</summary>
    public long HandOverReceived;

    /// <summary>Handed entries refused: this node held the key, or it changed here during the hand-over.</summary>
    public long HandOverRejected;

    /// <summary>Misses answered by the key's previous owner after a ring change, so the loader was not called.</summary>
    public long HandOverPulls;
}
