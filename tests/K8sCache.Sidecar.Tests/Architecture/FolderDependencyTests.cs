using System.Text.RegularExpressions;

namespace K8sCache.Sidecar.Tests.Architecture;

/// <summary>
/// The sidecar's folders use each other in one direction only (docs/design.md, "Layout"): a folder may use folders of
/// a lower layer, never its own layer's neighbours or a higher one. Read from the sources, so a new <c>using</c> that
/// points the wrong way fails here, with the file that does it.
/// </summary>
public partial class FolderDependencyTests
{
    /// <summary>Layers, lowest first. Each folder of the sidecar must be listed.</summary>
    private static readonly string[][] Layers =
    [
        ["Caching", "Coalescing", "Hashing", "Configuration", "Telemetry"],
        ["Loading", "Peers"],
        ["Node", "Discovery"],
        ["Api", "Metrics", "Resp"],
        ["Hosting"],
        ["LocalMode"],
        ["(root)"],
    ];

    private static readonly string Source = Path.Combine(RepositoryPaths.Root, "sidecar", "K8sCache.Sidecar");

    [Fact]
    public void EveryFolder_IsInALayer()
    {
        var folders = Directory.GetDirectories(Source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Append("(root)");

        Assert.Equal(folders.Order(StringComparer.Ordinal), Layers.SelectMany(l => l).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Folders_UseOnlyLowerLayers_SoThereIsNoCycle()
    {
        var rank = Layers.SelectMany((folders, layer) => folders.Select(f => (f, layer))).ToDictionary(p => p.f, p => p.layer);
        var wrongWay = new List<string>();

        foreach (var (from, to, file) in References())
        {
            if (rank[from] <= rank[to])
            {
                wrongWay.Add($"{from} -> {to} ({Path.GetRelativePath(Source, file)})");
            }
        }

        Assert.Empty(wrongWay);
    }

    [Fact]
    public void Check_FindsAReferenceThatPointsUp()
    {
        // The check itself must see all three ways of naming another folder's namespace.
        Assert.Equal(["Api", "Node", "Peers"], Named("""
            using K8sCache.Sidecar.Api;
            var x = K8sCache.Sidecar.Node.Group.HotCopyOneIn;
            throw new Peers.PeerSet();
            var y = options.Discovery;
            """).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<(string From, string To, string File)> References()
    {
        foreach (var file in Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var from = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "(root)";
            foreach (var to in Named(File.ReadAllText(file)).Where(to => to != from))
            {
                yield return (from, to, file);
            }
        }
    }

    private static HashSet<string> Named(string source)
    {
        var folders = Layers.SelectMany(l => l).Where(f => f != "(root)").ToHashSet(StringComparer.Ordinal);
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Qualified().Matches(source))
        {
            named.Add(m.Groups[1].Value);
        }

        foreach (Match m in Relative().Matches(source))
        {
            if (folders.Contains(m.Groups[1].Value))
            {
                named.Add(m.Groups[1].Value);
            }
        }

        named.IntersectWith(folders);
        return named;
    }

    [GeneratedRegex(@"K8sCache\.Sidecar\.(\w+)")]
    private static partial Regex Qualified();

    /// <summary><c>Loading.LoaderException</c> inside <c>K8sCache.Sidecar.Api</c>: a namespace named relative to the parent.</summary>
    [GeneratedRegex(@"(?<![\w.])(\w+)\.[A-Z]\w*")]
    private static partial Regex Relative();
}
