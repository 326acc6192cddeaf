using System.Globalization;
using System.Text.RegularExpressions;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>
/// The fixture as a program (k8scache-local-cluster, which scripts/local-cluster.sh runs): it brings a CacheGroup's
/// pods up; on SIGTERM it removes everything it made; killed with SIGKILL, its processes die with it and the next
/// start of the harness removes what it left.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(WholeSystemCollection.Name)]
public sealed partial class LocalClusterTests
{
    [Fact]
    public async Task TheLocalCluster_RunsAppliedPods_AndOnSigtermLeavesNothingBehind()
    {
        using var program = Start();
        var lines = new List<string>();
        try
        {
            await ReadUntilReadyAsync(program, lines);
        }
        finally
        {
            await StopAsync(program);
        }

        var exit = await program.WaitForExitAsync(TestTimeouts.Default);
        var (prefix, directory) = Made(lines);

        Assert.Equal(0, exit);
        Assert.Equal(3, lines.Count(l => l.Contains(" Ready (", StringComparison.Ordinal)));
        Assert.Empty(HarnessLeftovers.NamespacesOf(prefix));
        Assert.Empty(Directory.GetDirectories("/etc/netns", prefix + "-*"));
        Assert.False(Directory.Exists(directory), $"{directory} was left behind");
    }

    [Fact]
    public async Task TheLocalCluster_KilledWithSigkill_TakesItsProcessesWithIt_AndTheNextSweepRemovesWhatItLeft()
    {
        using var program = Start();
        var lines = new List<string>();
        try
        {
            await ReadUntilReadyAsync(program, lines);
        }
        catch
        {
            await StopAsync(program);
            throw;
        }

        var (prefix, directory) = Made(lines);
        var namespaces = HarnessLeftovers.NamespacesOf(prefix);
        var processes = namespaces.SelectMany(ns => Shell.Run("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        // SIGKILL to the program alone, as a CI runner that gives up on a test host: nothing of it runs to clean up.
        Shell.Check("kill", "-KILL", program.Id.ToString(CultureInfo.InvariantCulture));
        await program.WaitForExitAsync(TestTimeouts.Default);
        await Poll.UntilAsync(() => processes.All(p => !Directory.Exists($"/proc/{p}")));
        var survivors = processes.Where(p => Directory.Exists($"/proc/{p}")).ToArray();
        var left = HarnessLeftovers.NamespacesOf(prefix);

        var report = HarnessLeftovers.Sweep(pid => pid == program.Id);

        // 3 pods and the node; each ran processes (the containers, dnsmasq) that must not outlive the program.
        Assert.Equal(4, namespaces.Count);
        Assert.True(processes.Length >= 4, $"only {processes.Length} processes ran in {string.Join(", ", namespaces)}");
        Assert.Empty(survivors);
        Assert.Equal(namespaces.Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));
        Assert.All(namespaces, ns => Assert.Contains(report, l => l.Contains($"removed namespace {ns} ", StringComparison.Ordinal)));
        Assert.Contains(report, l => l.Contains($"removed {directory} ", StringComparison.Ordinal));
        Assert.Empty(HarnessLeftovers.NamespacesOf(prefix));
        Assert.Empty(Directory.GetDirectories("/etc/netns", prefix + "-*"));
        Assert.False(Directory.Exists(directory));
    }

    private static ChildProcess Start() =>
        ChildProcess.Start("dotnet", RepositoryPaths.Root,
            [Path.Combine(AppContext.BaseDirectory, "k8scache-local-cluster.dll"), "--apply", "examples/cachegroup.yaml", "--for", "150"]);

    /// <summary>Reads the program's output until it reports 3 Ready pods; a timeout says what it printed so far.</summary>
    private static async Task ReadUntilReadyAsync(ChildProcess program, List<string> lines)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        try
        {
            while (lines.Count(l => l.Contains(" Ready (", StringComparison.Ordinal)) < 3)
            {
                lines.Add(await program.ReadLineAsync(deadline - DateTime.UtcNow));
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new TimeoutException($"k8scache-local-cluster did not report 3 Ready pods within 120 s ({e.Message}). It printed:\n{string.Join('\n', lines)}\nstderr:\n{program.StandardError}", e);
        }
    }

    /// <summary>SIGTERM, then time to remove what it made, before the caller's disposal would SIGKILL it.</summary>
    private static async Task StopAsync(ChildProcess program)
    {
        await program.TerminateAsync();
        try
        {
            await program.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // Disposal kills it; the next sweep removes what it left.
        }
    }

    /// <summary>The namespace prefix and the folder the program made, from what it printed.</summary>
    private static (string Prefix, string Directory) Made(List<string> lines)
    {
        var prefix = lines.Select(l => NamespaceOfPod().Match(l)).First(m => m.Success).Groups[1].Value;
        var kubeconfig = lines.Single(l => l.StartsWith("export KUBECONFIG=", StringComparison.Ordinal))["export KUBECONFIG=".Length..];
        return (prefix, Path.GetDirectoryName(kubeconfig)!);
    }

    [GeneratedRegex(@"ip netns exec (k8sc-\d+-\d+)-\d+ ")]
    private static partial Regex NamespaceOfPod();
}
