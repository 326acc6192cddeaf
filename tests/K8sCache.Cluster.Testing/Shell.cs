using System.Diagnostics;

namespace K8sCache.Cluster.Testing;

/// <summary>Runs the short system commands the stand-ins need (<c>ip</c>, <c>curl</c> in a namespace) and returns
/// their exit code and output. Bounded: a command that hangs is killed after 30 s.</summary>
public static class Shell
{
    public static (int ExitCode, string Output) Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Like <see cref="Run"/>, but a non-zero exit is an error that names the command.</summary>
    public static string Check(string fileName, params string[] arguments)
    {
        var (exit, output) = Run(fileName, arguments);
        return exit == 0 ? output : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exit}: {output}");
    }
}
