using System.Diagnostics;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hashing;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.HandOver;

/// <summary>
/// Sends entries to the member that owns them when keys change hands (docs/design.md §4, "Hand-over"), so a deploy
/// or a scale change does not send their load to the origin. On a planned leave (SIGTERM) everything this node holds
/// goes to its owner in the ring without this node, while the node still serves; after a ring change, what this node
/// holds that another member owns now goes there (the node keeps it through the hand-over window meanwhile). Each
/// group's main cache is walked a slice at a time; entries are batched per owner (about 1 MiB), one batch in flight
/// per owner. Whatever has not gone when the time is up is dropped: a cache may lose entries, never serve wrong ones
/// (the receiver stores an entry only where it holds nothing and nothing changed since the call began).
/// </summary>
internal sealed class HandOverSender(CacheNode node, PeerSet peers, ILogger logger)
{
    /// <summary>Keys looked at per step of a group's walk.</summary>
    private const int SliceKeys = 512;

    public HandOverStats Stats { get; } = new();

    /// <summary>SIGTERM: hands everything over to the owners in the ring without this node, within <paramref name="budget"/>.</summary>
    public Task LeaveAsync(TimeSpan budget)
    {
        var others = peers.Ring.Members.Where(m => m != peers.Self).ToArray();
        if (others.Length == 0)
        {
            return Task.CompletedTask;
        }

        var ring = HashRing.Create(others, peers.Ring.Version + 1);
        return SendAsync(ring.Owner, budget, "leave");
    }

    /// <summary>The ring changed: hands what moved away to its new owners, within half the hand-over window (the other
    /// half is for the members to converge). Runs in the background: ring changes are raised under a lock.</summary>
    public void OnRingChanged(HashRing ring) => _ = Task.Run(() => SendAsync(ring.Owner, Defaults.HandOverWindow / 2, "ring change"));

    private async Task SendAsync(Func<string, string?> ownerOf, TimeSpan budget, string reason)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(budget);
        var outboxes = new Dictionary<string, Outbox>(StringComparer.Ordinal);
        var (sent, bytes, stored, dropped) = (0L, 0L, 0L, 0L);
        try
        {
            foreach (var group in node.Groups)
            {
                var cursor = 0UL;
                do
                {
                    foreach (var (owner, entry) in group.EntriesOwnedElsewhere(ownerOf, ref cursor, SliceKeys))
                    {
                        var outbox = outboxes.TryGetValue(owner, out var known) ? known : outboxes[owner] = new Outbox(owner);
                        if (deadline.IsCancellationRequested || outbox.Failed)
                        {
                            dropped++;
                            continue;
                        }

                        outbox.Add(entry);
                        if (outbox.Bytes >= Defaults.HandOverBatchBytes)
                        {
                            Count(await FlushAsync(outbox, group.Name, deadline.Token));
                        }
                    }
                }
                while (cursor < ICacheStore.ScanEnd);

                foreach (var outbox in outboxes.Values.Where(o => o.Entries.Count > 0))
                {
                    Count(await FlushAsync(outbox, group.Name, deadline.Token));
                }
            }
        }
        finally
        {
            foreach (var outbox in outboxes.Values)
            {
                await outbox.CloseAsync();
            }

            var ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Add(ref Stats.EntriesSent, sent);
            Interlocked.Add(ref Stats.BytesSent, bytes);
            Interlocked.Add(ref Stats.EntriesStored, stored);
            Interlocked.Add(ref Stats.EntriesDropped, dropped);
            Interlocked.Increment(ref Stats.Runs);
            Volatile.Write(ref Stats.LastDurationMs, ms);
            if (sent + dropped > 0)
            {
                HandOverLog.Finished(logger, peers.Self, reason, sent, bytes, stored, dropped, ms);
            }
        }

        void Count((int Sent, long Bytes, int Stored, int Dropped) flushed)
        {
            sent += flushed.Sent;
            bytes += flushed.Bytes;
            stored += flushed.Stored;
            dropped += flushed.Dropped;
        }
    }

    /// <summary>Sends the outbox's batch, opening its call first if needed; a failure drops the batch and every later
    /// entry for that owner.</summary>
    private async Task<(int Sent, long Bytes, int Stored, int Dropped)> FlushAsync(Outbox outbox, string group, CancellationToken deadline)
    {
        var entries = outbox.Take();
        var bytes = entries.Sum(e => (long)e.Value.Length);
        try
        {
            if (peers.Member(outbox.Owner) is not { } peer)
            {
                throw new PeerCallException(PeerFailure.Unreachable, "not a member");
            }

            outbox.Stream ??= await peer.OpenHandOverAsync(DateTime.UtcNow + Defaults.HandOverWindow, deadline);
            var result = await outbox.Stream.SendAsync(group, entries, deadline);
            return (entries.Count, bytes, result.Applied, 0);
        }
        catch (Exception e) when (e is PeerCallException or OperationCanceledException)
        {
            outbox.Failed = true;
            HandOverLog.PeerFailed(logger, peers.Self, outbox.Owner, e.Message);
            return (0, 0, 0, entries.Count);
        }
    }

    /// <summary>What waits for one owner: the batch being filled, and the call it goes out on.</summary>
    private sealed class Outbox(string owner)
    {
        public string Owner { get; } = owner;

        public List<PeerEntry> Entries { get; private set; } = [];

        public long Bytes { get; private set; }

        public PeerHandOverStream? Stream { get; set; }

        public bool Failed { get; set; }

        public void Add(PeerEntry entry)
        {
            Entries.Add(entry);
            Bytes += entry.Size;
        }

        public List<PeerEntry> Take()
        {
            var taken = Entries;
            (Entries, Bytes) = ([], 0);
            return taken;
        }

        public async Task CloseAsync()
        {
            if (Stream is not null)
            {
                try
                {
                    await Stream.CompleteAsync();
                }
                catch (PeerCallException)
                {
                    // Every batch was answered already, or counted as dropped.
                }

                await Stream.DisposeAsync();
            }
        }
    }
}
