namespace K8sCache.Sidecar.Tests.Architecture;

/// <summary>
/// No product file grows past 400 lines: when a class takes on a second concept it is split in the same change
/// (docs/design.md, "Layout"). Read from the sources of every product project, so the file that grew is named.
/// </summary>
public sealed class FileSizeTests
{
    private const int MaxLines = 400;

    /// <summary>The named exceptions and their own limits. The S3-FIFO store keeps its lookup, insertion and eviction
    /// loops in one class under one lock so a hit stays one hash, one probe and one copy (its class comment says so);
    /// its queues, large values, index, ghost and pages are types of their own.</summary>
    private static readonly Dictionary<string, int> Exceptions = new(StringComparer.Ordinal)
    {
        ["sidecar/K8sCache.Sidecar/Caching/S3FifoCacheStore.cs"] = 480,
    };

    private static readonly string[] ProductFolders = ["sidecar", "operator", "client", "protocol", "common"];

    [Fact]
    public void ProductFiles_StayUnder400Lines_ExceptTheNamedOnes()
    {
        var tooLong = ProductFiles()
            .Select(f => (File: Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > Exceptions.GetValueOrDefault(f.File, MaxLines))
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToArray();

        Assert.Empty(tooLong);
    }

    [Fact]
    public void EveryException_StillExists()
    {
        Assert.All(Exceptions.Keys, f => Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, f)), $"{f} is named as an exception but is gone"));
    }

    private static IEnumerable<string> ProductFiles() =>
        ProductFolders.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
