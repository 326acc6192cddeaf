using System.Globalization;
using System.Text.RegularExpressions;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// Names what the whole-system harness leaves on the machine while it runs — network namespaces, their
/// <c>/etc/netns</c> folders, its temporary folder — after the process that made them, and removes those of earlier
/// runs whose process is gone. What must stay true: only the harness's own names are touched, never a thing whose
/// maker still runs, and never a namespace with a process inside (that one is reported and left as it is).
/// A run that ends normally, or fails, removes its own things on disposal; this sweep is for a test host that was
/// killed before it could.
/// </summary>
public static partial class HarnessLeftovers
{
    private const string NetnsEtc = "/etc/netns";
    private static readonly Lock Gate = new();
    private static bool _swept;

    /// <summary>Prefix of a pod network's namespaces: <c>k8sc-PID-RANDOM</c>, then <c>-node</c> or <c>-HOST</c>.</summary>
    public static string NewNetworkPrefix() =>
        $"k8sc-{Environment.ProcessId}-{Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A fresh temporary folder of this process: <c>k8scache-api-PID-RANDOM</c>.</summary>
    public static string NewTemporaryDirectory() =>
        Directory.CreateTempSubdirectory($"k8scache-api-{Environment.ProcessId}-").FullName;

    /// <summary>Once per process: removes the leftovers of earlier runs and returns one line for each thing removed or
    /// left in place, for the caller to show.</summary>
    public static IReadOnlyList<string> SweepOnce()
    {
        lock (Gate)
        {
            if (_swept)
            {
                return [];
            }

            _swept = true;
            return Sweep();
        }
    }

    /// <summary>Removes the namespaces (with their <c>/etc/netns</c> folders) and temporary folders of harness runs
    /// whose process no longer exists; a namespace that still holds a process is kept and reported, with its folder
    /// and its run's temporary folder, which those processes may still read. <paramref name="ofRun"/> narrows it to the
    /// runs of the process ids it accepts (a test sweeps only what it made; the first cluster start sweeps all).</summary>
    public static IReadOnlyList<string> Sweep(Func<int, bool>? ofRun = null)
    {
        int? Stale(Match match) => StaleOwner(match) is { } owner && (ofRun is null || ofRun(owner)) ? owner : null;

        var report = new List<string>();
        var occupied = new HashSet<int>();
        foreach (var ns in Namespaces())
        {
            if (Stale(NamespaceName().Match(ns)) is not { } owner)
            {
                continue;
            }

            var pids = Shell.Run("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length > 0)
            {
                occupied.Add(owner);
                report.Add($"harness: left namespace {ns} of an earlier run (process {owner} is gone) in place: processes {string.Join(',', pids)} still run in it");
                continue;
            }

            Shell.Run("ip", "netns", "del", ns);
            if (Directory.Exists($"{NetnsEtc}/{ns}"))
            {
                Directory.Delete($"{NetnsEtc}/{ns}", recursive: true);
            }

            report.Add($"harness: removed namespace {ns} left by an earlier run (process {owner} is gone, nothing ran inside)");
        }

        foreach (var folder in Directory.Exists(NetnsEtc) ? Directory.GetDirectories(NetnsEtc) : [])
        {
            var name = Path.GetFileName(folder);
            if (Stale(NamespaceName().Match(name)) is not null && !File.Exists($"/run/netns/{name}"))
            {
                Directory.Delete(folder, recursive: true);
                report.Add($"harness: removed {folder} left by an earlier run");
            }
        }

        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "k8scache-api-*"))
        {
            if (Stale(TemporaryName().Match(Path.GetFileName(folder))) is { } owner && !occupied.Contains(owner))
            {
                Directory.Delete(folder, recursive: true);
                report.Add($"harness: removed {folder} left by an earlier run (process {owner} is gone)");
            }
        }

        return report;
    }

    /// <summary>The harness's namespaces still present whose names start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> NamespacesOf(string prefix) =>
        Namespaces().Where(n => n.StartsWith(prefix + "-", StringComparison.Ordinal)).ToArray();

    private static IEnumerable<string> Namespaces() =>
        Shell.Run("ip", "netns", "list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]);

    /// <summary>The process that made a harness name, when that process is gone; null for a name that is not the
    /// harness's or whose maker still runs.</summary>
    private static int? StaleOwner(Match match)
    {
        if (!match.Success)
        {
            return null;
        }

        var owner = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
        return owner != Environment.ProcessId && !Directory.Exists($"/proc/{owner}") ? owner : null;
    }

    [GeneratedRegex(@"^k8sc-(?<pid>\d+)-\d+-(node|\d+)$")]
    private static partial Regex NamespaceName();

    [GeneratedRegex(@"^k8scache-api-(?<pid>\d+)-")]
    private static partial Regex TemporaryName();
}
