namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>The fixture as a script (scripts/local-cluster.sh): it brings a CacheGroup's pods up, and on SIGTERM
/// removes every namespace it made.</summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task TheScript_RunsAppliedPods_AndOnSigtermLeavesNoNamespaceBehind()
    {
        using var script = ChildProcess.Start("bash", RepositoryPaths.Root,
            ["scripts/local-cluster.sh", "--no-build", "--apply", "examples/cachegroup.yaml", "--for", "150"], captureOutput: false);
        var lines = new List<string>();
        try
        {
            while (lines.Count(l => l.Contains(" Ready (", StringComparison.Ordinal)) < 3)
            {
                lines.Add(await script.ReadLineAsync(TimeSpan.FromSeconds(120)));
            }
        }
        finally
        {
            await script.TerminateAsync();
        }

        var exit = await script.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var prefix = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"ip netns exec (k8sc\d+)-")).First(m => m.Success).Groups[1].Value;
        var left = Shell.Run("ip", "netns", "list").Output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal));

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.StartsWith("export KUBECONFIG=", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.Contains(" Ready (", StringComparison.Ordinal)));
        Assert.Empty(left);
    }
}
