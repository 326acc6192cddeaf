using System.Globalization;

namespace K8sCache.Operator.Tests.StandIns;

/// <summary>The sweep removes only the harness's own leftovers: of a process that is gone, with nothing running inside.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HarnessLeftoversTests
{
    [Fact]
    public void Sweep_RemovesAGoneRunsEmptyNamespaces_KeepsOccupiedOnes_AndNeverTouchesALiveRuns()
    {
        var gone = GonePid();
        var empty = $"k8sc-{gone}-100001-node";
        var occupied = $"k8sc-{gone}-100002-10";
        var live = $"k8sc-{Environment.ProcessId}-100003-node";
        var notOurs = $"k8scx-{gone}-1-node";
        string[] all = [empty, occupied, live, notOurs];
        foreach (var ns in all)
        {
            Shell.Check("ip", "netns", "add", ns);
            Directory.CreateDirectory($"/etc/netns/{ns}");
        }

        var folder = Directory.CreateTempSubdirectory($"k8scache-api-{gone}-").FullName;
        using var sleeper = ChildProcess.Start("ip", "/", "netns", "exec", occupied, "sleep", "60");
        try
        {
            var report = HarnessLeftovers.Sweep(pid => pid == gone || pid == Environment.ProcessId);
            var present = Shell.Run("ip", "netns", "list").Output;

            Assert.DoesNotContain(empty, present, StringComparison.Ordinal);
            Assert.False(Directory.Exists($"/etc/netns/{empty}"));
            Assert.Contains(report, l => l.Contains($"removed namespace {empty} ", StringComparison.Ordinal));
            Assert.Contains(occupied, present, StringComparison.Ordinal);
            Assert.Contains(report, l => l.Contains($"left namespace {occupied} ", StringComparison.Ordinal) && l.Contains(sleeper.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.True(Directory.Exists($"/etc/netns/{occupied}"));
            // The run whose namespace is still occupied keeps its folder too: its processes may read it.
            Assert.True(Directory.Exists(folder));
            Assert.Contains(live, present, StringComparison.Ordinal);
            Assert.Contains(notOurs, present, StringComparison.Ordinal);
            Assert.DoesNotContain(report, l => l.Contains(live, StringComparison.Ordinal) || l.Contains(notOurs, StringComparison.Ordinal));
        }
        finally
        {
            sleeper.Dispose();
            foreach (var ns in all)
            {
                Shell.Run("ip", "netns", "del", ns);
                if (Directory.Exists($"/etc/netns/{ns}"))
                {
                    Directory.Delete($"/etc/netns/{ns}", recursive: true);
                }
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Sweep_RemovesTheFolderOfAGoneRun_WhoseNamespacesAreGone()
    {
        var gone = GonePid();
        var folder = Directory.CreateTempSubdirectory($"k8scache-api-{gone}-").FullName;

        var report = HarnessLeftovers.Sweep(pid => pid == gone);

        Assert.False(Directory.Exists(folder));
        Assert.Contains(report, l => l.Contains($"removed {folder} ", StringComparison.Ordinal));
    }

    /// <summary>The id of a process that has exited: a short one, waited for.</summary>
    private static int GonePid()
    {
        using var process = ChildProcess.Start("true", "/");
        process.WaitForExitAsync(TestTimeouts.Default).GetAwaiter().GetResult();
        return process.Id;
    }
}
