namespace K8sCache.Cluster.Testing;

/// <summary>
/// What the whole-system harness needs from the machine, checked before anything starts: without it a pod would just
/// never become Ready and the test would fail on a timeout that names nothing. scripts/install-test-deps.sh installs
/// every program listed here.
/// </summary>
public static class Prerequisites
{
    private static readonly (string Program, string Package)[] Programs =
    [
        ("/usr/sbin/dnsmasq", "dnsmasq-base"),
        ("ip", "iproute2"),
        ("setpriv", "util-linux"),
        ("curl", "curl"),
        ("redis-cli", "redis-tools"),
        ("kubectl", "kubectl"),
        ("helm", "helm"),
    ];

    /// <summary>Throws with every missing program and what provides it.</summary>
    public static void Check()
    {
        var missing = Programs.Where(p => !Exists(ToolPaths.Find(p.Program))).Select(p => $"{p.Program} ({p.Package})").ToArray();
        if (!Environment.IsPrivilegedProcess)
        {
            missing = [.. missing, "root (network namespaces)"];
        }

        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"the whole-system harness cannot start: missing {string.Join(", ", missing)}; run scripts/install-test-deps.sh as root.");
        }
    }

    private static bool Exists(string program) =>
        Path.IsPathRooted(program)
            ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}
