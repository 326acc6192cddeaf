namespace K8sCache.Sidecar.Discovery;

/// <summary>A source of the member list (peer addresses, host:port). The core never sees where it comes from.</summary>
internal interface IDiscovery
{
    /// <summary>The current members; null when the source failed transiently and the previous list should stand.</summary>
    Task<IReadOnlyList<string>?> ResolveAsync(CancellationToken cancellationToken);
}
