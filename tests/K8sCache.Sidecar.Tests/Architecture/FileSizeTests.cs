namespace K8sCache.Sidecar.Tests.Architecture;

/// <summary>
/// No product file grows past 400 lines: when a class takes on a second concept it is split in the same change
/// (docs/design.md, "Layout"). Read from the sources of every product project, so the file that grew is named.
/// </summary>
public sealed class FileSizeTests
{
    private const int MaxLines = 400;

    private static readonly string[] ProductFolders = ["sidecar", "operator", "client", "protocol", "common"];

    [Fact]
    public void ProductFiles_StayUnder400Lines()
    {
        var tooLong = ProductFiles()
            .Select(f => (File: Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToArray();

        Assert.Empty(tooLong);
    }

    private static IEnumerable<string> ProductFiles() =>
        ProductFolders.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
