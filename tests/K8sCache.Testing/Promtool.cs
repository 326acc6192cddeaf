namespace K8sCache.Testing;

/// <summary>Runs Debian's <c>promtool</c> (installed by scripts/install-test-deps.sh): its exit code and everything it
/// printed, which is where its findings are.</summary>
public static class Promtool
{
    /// <summary>Runs <c>promtool ARGS</c>, writing <paramref name="standardInput"/> to it when given (then closing it).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IEnumerable<string> args, string? standardInput = null)
    {
        using var process = ChildProcess.Start(ToolPaths.Find("promtool"), RepositoryPaths.Root, args, captureOutput: true);
        if (standardInput is not null)
        {
            await process.WriteStandardInputAsync(standardInput, close: true);
        }

        var exit = await process.WaitForExitAsync(TestTimeouts.Default);
        return (exit, (process.StandardOutput + process.StandardError).Trim());
    }
}
