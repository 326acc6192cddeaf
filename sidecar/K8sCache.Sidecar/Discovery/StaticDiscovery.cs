namespace K8sCache.Sidecar.Discovery;

/// <summary><c>static:///host:port,host:port</c>: a fixed list (local runs, tests). A changed list arrives through a
/// configuration reload, which creates a new instance.</summary>
internal sealed class StaticDiscovery(IReadOnlyList<string> members) : IDiscovery
{
    public IReadOnlyList<string> Members { get; } = members;

    public Task<IReadOnlyList<string>?> ResolveAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(Members);
}
