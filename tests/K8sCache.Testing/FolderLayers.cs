using System.Text.RegularExpressions;

namespace K8sCache.Testing;

/// <summary>
/// Checks that a project's folders use each other in one direction only: a folder may name folders of a lower layer,
/// never its own layer's neighbours or a higher one (docs/design.md, "Layout"). Reads the sources, so a new
/// <c>using</c> — or a namespace named in full, or relative to the project's — that points the wrong way is found with
/// the file that does it.
/// </summary>
public sealed class FolderLayers
{
    private readonly string _source;
    private readonly string[][] _layers;
    private readonly HashSet<string> _folders;
    private readonly Regex _qualified;

    /// <param name="source">The project's folder.</param>
    /// <param name="rootNamespace">The project's namespace; its folders are namespaces below it.</param>
    /// <param name="layers">Folders by layer, lowest first; <c>(root)</c> stands for files at the project's top.</param>
    public FolderLayers(string source, string rootNamespace, string[][] layers)
    {
        _source = source;
        _layers = layers;
        _folders = layers.SelectMany(l => l).Where(f => f != "(root)").ToHashSet(StringComparer.Ordinal);
        _qualified = new Regex(Regex.Escape(rootNamespace) + @"\.(\w+)", RegexOptions.CultureInvariant);
    }

    /// <summary>The project's folders (and <c>(root)</c>), as the disk has them.</summary>
    public IEnumerable<string> FoldersOnDisk() =>
        Directory.GetDirectories(_source).Select(f => Path.GetFileName(f)!).Where(f => f is not ("bin" or "obj")).Append("(root)");

    /// <summary>The folders the layers list.</summary>
    public IEnumerable<string> ListedFolders() => _layers.SelectMany(l => l);

    /// <summary>Every reference from a folder to one of its own layer or above, as <c>from -> to (file)</c>.</summary>
    public IReadOnlyList<string> WrongWay()
    {
        var rank = _layers.SelectMany((folders, layer) => folders.Select(f => (f, layer))).ToDictionary(p => p.f, p => p.layer);
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var from = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "(root)";
            foreach (var to in Named(File.ReadAllText(file)).Where(to => to != from && rank[from] <= rank[to]))
            {
                wrong.Add($"{from} -> {to} ({relative})");
            }
        }

        return wrong;
    }

    /// <summary>The folders <paramref name="code"/> names: in a <c>using</c> or in full (<c>Root.Folder</c>), or relative to
    /// the project's namespace (<c>Folder.Type</c>).</summary>
    public HashSet<string> Named(string code)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in _qualified.Matches(code))
        {
            named.Add(m.Groups[1].Value);
        }

        foreach (Match m in Relative.Matches(code))
        {
            named.Add(m.Groups[1].Value);
        }

        named.IntersectWith(_folders);
        return named;
    }

    /// <summary><c>Loading.LoaderException</c> inside the project's namespace: a namespace named relative to the parent.</summary>
    private static readonly Regex Relative = new(@"(?<![\w.])(\w+)\.[A-Z]\w*", RegexOptions.CultureInvariant);
}
