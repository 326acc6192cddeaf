namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>Runs the helm binary (see <see cref="ToolPaths"/>).</summary>
public static class Helm
{
    public static string Chart => Path.Combine(RepositoryPaths.Root, "charts", "k8scache");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = ChildProcess.Start(ToolPaths.Find("helm"), RepositoryPaths.Root, args, captureOutput: true);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, process.StandardOutput, process.StandardError);
    }
}
