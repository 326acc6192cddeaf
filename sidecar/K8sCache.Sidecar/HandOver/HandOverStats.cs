namespace K8sCache.Sidecar.HandOver;

/// <summary>What this node handed over since it started, for the Prometheus endpoint (what it received is counted
/// per group, in <c>GroupStats</c>).</summary>
internal sealed class HandOverStats
{
    /// <summary>Entries sent to their new owner.</summary>
    public long EntriesSent;

    /// <summary>Bytes of those entries' values.</summary>
    public long BytesSent;

    /// <summary>Of those, the ones the receivers stored (the others they held already, or saw change meanwhile).</summary>
    public long EntriesStored;

    /// <summary>Entries not sent: the time ran out, or their owner could not be reached.</summary>
    public long EntriesDropped;

    /// <summary>Hand-overs finished (a leave, or a ring change that moved keys away).</summary>
    public long Runs;

    /// <summary>How long the last one took, in milliseconds.</summary>
    public long LastDurationMs;
}
