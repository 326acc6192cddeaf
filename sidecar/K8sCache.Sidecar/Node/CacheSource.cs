namespace K8sCache.Sidecar.Node;

/// <summary>Where a Get's answer came from (the APIs report it: <c>X-Cache</c>, the gRPC <c>source</c>).</summary>
internal enum CacheSource
{
    /// <summary>Not reported: a key that is not found, or a peek.</summary>
    Unspecified,

    /// <summary>This node's main cache: it owns the key and had it.</summary>
    Hit,

    /// <summary>This node's hot cache: a copy of a key another node owns.</summary>
    Hot,

    /// <summary>Fetched from the owner.</summary>
    Peer,

    /// <summary>Loaded through the group's loader by this node.</summary>
    Load,
}
