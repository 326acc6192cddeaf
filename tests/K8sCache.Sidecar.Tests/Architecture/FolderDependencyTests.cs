namespace K8sCache.Sidecar.Tests.Architecture;

/// <summary>
/// The sidecar's folders use each other in one direction only (docs/design.md, "Layout"): a folder may use folders of
/// a lower layer, never its own layer's neighbours or a higher one.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Layers, lowest first. Each folder of the sidecar must be listed.</summary>
    private static readonly FolderLayers Sidecar = new(Path.Combine(RepositoryPaths.Root, "sidecar", "K8sCache.Sidecar"), "K8sCache.Sidecar",
    [
        ["Caching", "Coalescing", "Hashing", "Configuration", "Telemetry", "Transport"],
        ["Loading", "Peers"],
        ["Node", "Discovery"],
        ["PubSub", "HandOver"],
        ["Api", "Metrics", "Resp"],
        ["Hosting"],
        ["LocalMode"],
        ["(root)"],
    ]);

    [Fact]
    public void EveryFolder_IsInALayer() =>
        Assert.Equal(Sidecar.FoldersOnDisk().Order(StringComparer.Ordinal), Sidecar.ListedFolders().Order(StringComparer.Ordinal));

    [Fact]
    public void Folders_UseOnlyLowerLayers_SoThereIsNoCycle() => Assert.Empty(Sidecar.WrongWay());

    [Fact]
    public void Check_FindsAReferenceThatPointsUp()
    {
        // The check itself must see all three ways of naming another folder's namespace.
        Assert.Equal(["Api", "Node", "Peers"], Sidecar.Named("""
            using K8sCache.Sidecar.Api;
            var x = K8sCache.Sidecar.Node.Group.HotCopyOneIn;
            throw new Peers.PeerSet();
            var y = options.Discovery;
            """).Order(StringComparer.Ordinal));
    }
}
