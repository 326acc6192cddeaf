namespace K8sCache.Sidecar.Peers;

/// <summary>The ring as a group sees it (groupcache's PeerPicker): who owns a key, and who else is out there.</summary>
internal interface IPeerPicker
{
    /// <summary>The remote owner of <paramref name="key"/>; null when this node owns it (or knows no ring yet).</summary>
    IPeer? PickOwner(string key);

    /// <summary>Every member except this node, for invalidation broadcasts.</summary>
    IReadOnlyList<IPeer> Others { get; }
}
