namespace K8sCache.Testing;

/// <summary>Where the repository's files are, found from the test binary's location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ProtoRoot => Path.Combine(Root, "proto");

    public static string Interop(string language) => Path.Combine(Root, "tests", "interop", language);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "K8sCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("K8sCache.sln not found above " + AppContext.BaseDirectory);
    }
}
