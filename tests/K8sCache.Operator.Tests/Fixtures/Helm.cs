namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>Runs the helm binary: helm on PATH, else the one scripts/install-test-deps.sh extracted to tests/helm/bin.</summary>
public static class Helm
{
    public static string Chart => Path.Combine(RepositoryPaths.Root, "charts", "k8scache");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var local = Path.Combine(RepositoryPaths.Root, "tests", "helm", "bin", "helm");
        var helm = File.Exists(local) ? local : "helm";
        using var process = ChildProcess.Start(helm, RepositoryPaths.Root, args, captureOutput: true);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, process.StandardOutput, process.StandardError);
    }
}
