using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// The group's part in a hand-over (docs/design.md §4, "Hand-over"): what it holds that belongs elsewhere, storing
/// what another node hands it, and, for a while after a ring change, keeping the entries it no longer owns for their
/// new owner — served to peers that still see this node as their owner and to the new owner's questions, never to
/// this node's own applications (their Gets go to the new owner).
/// </summary>
internal sealed partial class Group
{
    private volatile bool _inTransition;

    /// <summary>Entries held here whose owner under <paramref name="ownerOf"/> is another member, in batches of
    /// <paramref name="count"/> keys walked: (owner, entry). <paramref name="cursor"/> starts at 0 and is
    /// <see cref="ICacheStore.ScanEnd"/> when the walk is over.</summary>
    public List<(string Owner, PeerEntry Entry)> EntriesOwnedElsewhere(Func<string, string?> ownerOf, ref ulong cursor, int count)
    {
        var now = Now;
        var keys = new List<(string Key, ValueKind Kind)>();
        cursor = Main.Scan(cursor, count, now, keys);
        var entries = new List<(string, PeerEntry)>();
        foreach (var (key, _) in keys)
        {
            if (ownerOf(key) is { } owner && owner != _node && Main.TryGet(key, now, out var value))
            {
                entries.Add((owner, new PeerEntry(key, value.Value, value.RemainingMs(now), value.Kind)));
            }
        }

        return entries;
    }

    /// <summary>Stores entries <paramref name="sender"/> handed over: each only for a key this node owns, or the
    /// sender owns in this node's ring (it is leaving), that this node does not hold and that did not change here
    /// since the hand-over began. Needs <see cref="BeginReceiving"/>.</summary>
    public HandOverResult Adopt(IReadOnlyList<PeerEntry> entries, string sender)
    {
        var (applied, rejected, now) = (0, 0, Now);
        var validator = _validator();
        foreach (var entry in entries)
        {
            var owner = _picker.PickOwner(entry.Key);
            var acceptable = (owner is null || owner.Address == sender) && entry.Value.Length <= validator.Limits.MaxValueBytes
                && entry.Key.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(entry.Key) <= validator.Limits.MaxKeyBytes;
            var ttlMs = validator.ClampTtlMs(entry.TtlMs);
            if (acceptable && _fences.StoreHandedOver(Main, entry.Key, entry.Value, ttlMs > 0 ? now + ttlMs : 0, entry.Kind, now))
            {
                applied++;
            }
            else
            {
                rejected++;
            }
        }

        Interlocked.Add(ref Stats.HandOverReceived, applied);
        Interlocked.Add(ref Stats.HandOverRejected, rejected);
        return new HandOverResult(applied, rejected);
    }

    /// <summary>A hand-over to this node begins: from now on every change of a key is noted (<see cref="KeyFences"/>).</summary>
    public void BeginReceiving() => _fences.BeginTracking();

    public void EndReceiving() => _fences.EndTracking();

    /// <summary>The ring changed: keys this node held may belong to another member now. They stay, unserved to this
    /// node's applications, until <see cref="EndTransition"/>. An empty group (a node that just started) has none.</summary>
    public void BeginTransition() => _inTransition = Main.Count > 0;

    /// <summary>The hand-over window is over: drops the main-cache entries of keys another member owns now.</summary>
    public int EndTransition()
    {
        _inTransition = false;
        return DropUnowned();
    }

    /// <summary>A new owner's question: what this node holds for the key, from its caches only (a key it no longer owns
    /// included), never loading it.</summary>
    public GetResult GetCachedForPeer(string key)
    {
        Interlocked.Increment(ref Stats.ServerRequests);
        return TryLookup(key, Now, countHits: false, out var result, forPeer: true) ? result : GetResult.NotFound(CacheSource.Unspecified);
    }

    /// <summary>Whether a main-cache entry may answer this Get: always, except for a key this node no longer owns while
    /// the hand-over window is open, which only peers (whose ring may still name this node) are given.</summary>
    private bool MainServes(string key, bool forPeer) => forPeer || !_inTransition || _picker.PickOwner(key) is null;

    /// <summary>Before a miss of a key this node owns calls the loader: the member that owned it before a recent ring
    /// change may still hold it (or, if that one does not, the owner without it: a node that just started cannot tell
    /// which other members are new). Null when nobody can be asked or nobody holds it.</summary>
    private async Task<PeerValue?> AskPreviousOwnerAsync(string key)
    {
        for (var choice = 0; choice < 2; choice++)
        {
            if (_picker.PreviousOwner(key, choice) is not { } previous)
            {
                // Nobody to ask at this choice (this node itself, or a member marked down): maybe at the next.
                continue;
            }

            try
            {
                var answer = await previous.GetCachedAsync(Name, key, CancellationToken.None);
                if (answer.Found && !answer.NoStore)
                {
                    Interlocked.Increment(ref Stats.HandOverPulls);
                    return answer;
                }
            }
            catch (PeerCallException e)
            {
                NodeLog.PeerFetchFailed(_logger, _node, Name, previous.Address, e.Message);
            }
        }

        return null;
    }
}
