namespace K8sCache.Sidecar.Peers;

/// <summary>The ring as a group sees it (groupcache's PeerPicker): who owns a key, and who else is out there.</summary>
internal interface IPeerPicker
{
    /// <summary>The remote owner of <paramref name="key"/>; null when this node owns it (or knows no ring yet).</summary>
    IPeer? PickOwner(string key);

    /// <summary>The member that owned <paramref name="key"/> before the last ring change, while that change is recent
    /// (<see cref="Configuration.Defaults.HandOverWindow"/>) and if it is another live member: who may still hold it.
    /// <paramref name="choice"/> 1 is the owner in that ring without the first choice (a node that just started does
    /// not know who else is new: the first choice may be another newcomer).</summary>
    IPeer? PreviousOwner(string key, int choice = 0) => null;

    /// <summary>Every member except this node, for invalidation broadcasts.</summary>
    IReadOnlyList<IPeer> Others { get; }
}
