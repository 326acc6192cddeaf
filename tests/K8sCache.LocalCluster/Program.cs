using System.Runtime.InteropServices;
using K8sCache.Cluster.Testing;

// k8scache-local-cluster [--operators N] [--apply FILE]... [--until-ready PODS [--timeout SECONDS]] [--for SECONDS]
//
// Brings up the whole-system fixture the tests use and keeps it up: kubectl and helm work against it through the
// kubeconfig it prints, pods run in network namespaces (enter one with `ip netns exec NS …`). Stops on Ctrl-C or
// SIGTERM, after --for seconds, or, with --until-ready, once that many pods are Ready (exit 0) or the timeout passes
// (exit 1). Every pod, process and namespace is removed on the way out.
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("k8scache-local-cluster: Linux only (pods run in network namespaces)");
    return 2;
}

if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("k8scache-local-cluster: needs root to create network namespaces; run it with sudo");
    return 2;
}

var options = LocalClusterOptions.Parse(args);
if (options.Error is { } error)
{
    Console.Error.WriteLine($"k8scache-local-cluster: {error}");
    return 2;
}

using var stop = new CancellationTokenSource();
if (options.ForSeconds is { } seconds)
{
    stop.CancelAfter(TimeSpan.FromSeconds(seconds));
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var cluster = await PodClusterEnvironment.StartAsync(options.Operators, Console.WriteLine);
Console.WriteLine($"API server {cluster.Api.Server.Address}; pod network {cluster.Network.Subnet}.0/24, cluster DNS {cluster.Network.NodeIp}");
Console.WriteLine($"export KUBECONFIG={cluster.Api.Kubeconfig}");
foreach (var file in options.Apply)
{
    var (exit, output, failure) = await cluster.Api.KubectlAsync("apply", "-f", Path.GetFullPath(file));
    Console.Write(output + failure);
    if (exit != 0)
    {
        return 1;
    }
}

var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(options.TimeoutSeconds);
var reported = new Dictionary<string, bool>(StringComparer.Ordinal);
while (!stop.IsCancellationRequested)
{
    var pods = cluster.Agent.Running;
    foreach (var pod in pods.Where(p => !reported.TryGetValue(p.Namespace + "/" + p.Name, out var ready) || ready != p.Ready))
    {
        reported[pod.Namespace + "/" + pod.Name] = pod.Ready;
        Console.WriteLine($"pod {pod.Namespace}/{pod.Name} {pod.Ip} {(pod.Ready ? "Ready" : "not ready")} (ip netns exec {pod.NetworkNamespace} …)");
    }

    if (options.UntilReady is { } wanted)
    {
        if (pods.Count(p => p.Ready) >= wanted)
        {
            Console.WriteLine($"{wanted} pods Ready");
            return 0;
        }

        if (DateTime.UtcNow > deadline)
        {
            Console.Error.WriteLine($"k8scache-local-cluster: {pods.Count(p => p.Ready)} of {wanted} pods Ready after {options.TimeoutSeconds} s\n{cluster.OperatorLogs}");
            return 1;
        }
    }

    await Task.Delay(250, CancellationToken.None);
}

return 0;

void Stop(PosixSignalContext context)
{
    // Shut down in order (the cluster's disposal), not by the runtime's default exit.
    context.Cancel = true;
    stop.Cancel();
}
