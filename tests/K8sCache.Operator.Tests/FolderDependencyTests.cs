namespace K8sCache.Operator.Tests;

/// <summary>
/// The operator's folders use each other in one direction only (docs/design.md, "Layout of the operator"): the
/// CacheGroup types and the API client know nothing of the controller; the generic runtime knows only the client;
/// rendering knows only the types; the controller composes them; hosting wires it all.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Layers, lowest first. Each folder of the operator must be listed.</summary>
    private static readonly FolderLayers Operator = new(Path.Combine(RepositoryPaths.Root, "operator", "K8sCache.Operator"), "K8sCache.Operator",
    [
        ["Yaml"],
        ["Api", "Kubernetes"],
        ["Rendering", "Runtime"],
        ["Controller"],
        ["Hosting"],
        ["(root)"],
    ]);

    [Fact]
    public void EveryFolder_IsInALayer() =>
        Assert.Equal(Operator.FoldersOnDisk().Order(StringComparer.Ordinal), Operator.ListedFolders().Order(StringComparer.Ordinal));

    [Fact]
    public void Folders_UseOnlyLowerLayers_SoThereIsNoCycle() => Assert.Empty(Operator.WrongWay());

    [Fact]
    public void Check_FindsAReferenceThatPointsUp()
    {
        Assert.Equal(["Controller", "Hosting", "Runtime"], Operator.Named("""
            using K8sCache.Operator.Controller;
            var x = K8sCache.Operator.Hosting.OperatorHost.Run;
            throw new Runtime.WorkQueue();
            var y = options.Rendering;
            """).Order(StringComparer.Ordinal));
    }
}
