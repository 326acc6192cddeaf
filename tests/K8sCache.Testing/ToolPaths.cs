namespace K8sCache.Testing;

/// <summary>Command-line tools the tests run: the one on PATH, else the copy scripts/install-test-deps.sh extracted to
/// tests/helm/bin.</summary>
public static class ToolPaths
{
    public static string Find(string tool)
    {
        var local = Path.Combine(RepositoryPaths.Root, "tests", "helm", "bin", tool);
        return File.Exists(local) ? local : tool;
    }
}
