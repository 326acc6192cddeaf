using System.Text;
using System.Text.Json.Nodes;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// What a whole-system failure message shows, so a red CI run can be understood from its output alone: every pod with
/// its phase, readiness and containers (state, restarts, last log lines), what the node agent could not set up, each
/// StatefulSet's status, cluster DNS's records, and the operators' last log lines.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class ClusterDiagnostics
{
    private const int LogLines = 12;

    public static string Describe(PodClusterEnvironment cluster)
    {
        var text = new StringBuilder();
        var pods = cluster.Agent.Running.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        text.AppendLine($"pods ({pods.Length}):");
        foreach (var pod in pods)
        {
            var phase = (string?)cluster.Api.Get(cluster.Api.Server.Resource("v1", "pods"), pod.Namespace, pod.Name)?["status"]?["phase"] ?? "deleted";
            text.AppendLine($"  {pod.Namespace}/{pod.Name} {pod.Ip} phase={phase} ready={pod.Ready} netns={pod.NetworkNamespace}");
            foreach (var container in pod.Containers)
            {
                text.AppendLine($"    {container.Name}: pid={container.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} started={container.Started} ready={container.Ready} restarts={container.RestartCount}");
                text.Append(Tail(container.Logs, "      "));
            }
        }

        foreach (var (pod, failure) in cluster.Agent.Failures)
        {
            text.AppendLine($"  node agent could not set up {pod}: {failure}");
        }

        foreach (var sts in cluster.Api.Server.Store.List(cluster.Api.Server.Resource("apps/v1", "statefulsets"), null, _ => true).Items)
        {
            text.AppendLine($"statefulset {sts["metadata"]!["namespace"]}/{sts["metadata"]!["name"]}: spec.replicas={sts["spec"]?["replicas"]} status={Compact(sts["status"])}");
        }

        text.AppendLine($"cluster DNS records:\n{Indent(cluster.Dns.Records, "  ")}");
        for (var i = 0; i < cluster.Operators.Count; i++)
        {
            var replica = cluster.Operators[i];
            text.AppendLine($"operator-{i} (pid {replica.Id}{(replica.HasExited ? ", exited" : string.Empty)}), last lines:");
            text.Append(Tail(replica.StandardOutput + replica.StandardError, "  "));
        }

        return text.ToString();
    }

    private static string Tail(string logs, string indent)
    {
        var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Indent(string.Join('\n', lines.Skip(Math.Max(0, lines.Length - LogLines))), indent);
    }

    private static string Indent(string text, string indent) =>
        text.Length == 0 ? indent + "(nothing)\n" : string.Concat(text.Split('\n').Select(l => indent + l.TrimEnd('\r') + "\n"));

    private static string Compact(JsonNode? node) => node?.ToJsonString() ?? "{}";
}
