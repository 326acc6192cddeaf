using System.Collections.Concurrent;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// The stand-in for a node's pod network (the CNI's part): a network namespace for the node holding a bridge, and one
/// network namespace per pod with its own loopback (so <c>127.0.0.1:7071</c> is pod-local, as in Kubernetes) and a
/// veth into the bridge with the pod's IP. The subnet is a private /24 chosen at random; nothing is routed to the
/// machine's own interfaces, so pods reach each other, the node's DNS, and nothing else. Disposing removes every
/// namespace and file it made, whatever happened.
/// </summary>
public sealed class PodNetwork : IDisposable
{
    private readonly ConcurrentDictionary<string, (string Namespace, string Ip)> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<int> _freeHosts = new(Enumerable.Range(10, 240));

    private PodNetwork(string prefix, string subnet)
    {
        Prefix = prefix;
        Subnet = subnet;
    }

    /// <summary>Start of every namespace name this network made: <c>k8sc-PID-RANDOM</c>, the process that made it and a
    /// random number (<see cref="HarnessLeftovers"/> reads the process back).</summary>
    public string Prefix { get; }

    /// <summary>The first three octets of the pods' /24.</summary>
    public string Subnet { get; }

    public string NodeNamespace => Prefix + "-node";

    /// <summary>The node's address on the bridge: where cluster DNS listens.</summary>
    public string NodeIp => Subnet + ".1";

    public static PodNetwork Create()
    {
        var network = new PodNetwork(HarnessLeftovers.NewNetworkPrefix(), $"10.244.{Random.Shared.Next(0, 256)}");
        try
        {
            var node = network.NodeNamespace;
            Shell.Check("ip", "netns", "add", node);
            Shell.Check("ip", "-n", node, "link", "set", "lo", "up");
            Shell.Check("ip", "-n", node, "link", "add", "br0", "type", "bridge");
            Shell.Check("ip", "-n", node, "addr", "add", network.NodeIp + "/24", "dev", "br0");
            Shell.Check("ip", "-n", node, "link", "set", "br0", "up");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Creates the pod's namespace and address; <paramref name="resolvConf"/> becomes its /etc/resolv.conf
    /// (<c>ip netns exec</c> binds /etc/netns/NAME/resolv.conf over it for every process started in the pod).</summary>
    public (string Namespace, string Ip) AddPod(string podKey, string resolvConf)
    {
        if (!_freeHosts.TryDequeue(out var host))
        {
            throw new InvalidOperationException("the pod network is full");
        }

        var ns = $"{Prefix}-{host}";
        var ip = $"{Subnet}.{host}";
        _pods[podKey] = (ns, ip);
        Shell.Check("ip", "netns", "add", ns);
        Directory.CreateDirectory($"/etc/netns/{ns}");
        File.WriteAllText($"/etc/netns/{ns}/resolv.conf", resolvConf);
        Shell.Check("ip", "-n", ns, "link", "set", "lo", "up");
        Shell.Check("ip", "link", "add", $"v{host}", "netns", NodeNamespace, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Shell.Check("ip", "-n", NodeNamespace, "link", "set", $"v{host}", "master", "br0");
        Shell.Check("ip", "-n", NodeNamespace, "link", "set", $"v{host}", "up");
        Shell.Check("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
        Shell.Check("ip", "-n", ns, "link", "set", "eth0", "up");
        return (ns, ip);
    }

    public void RemovePod(string podKey)
    {
        if (_pods.TryRemove(podKey, out var pod))
        {
            Remove(pod.Namespace);
            _freeHosts.Enqueue(int.Parse(pod.Ip[(Subnet.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Runs a command inside <paramref name="ns"/> (a pod's, or the node's).</summary>
    public (int ExitCode, string Output) Exec(string ns, params string[] command) => Shell.Run("ip", ["netns", "exec", ns, .. command]);

    /// <summary>An HTTP GET from inside <paramref name="ns"/>: status code and body ("000" when nothing answered).</summary>
    public (string Status, string Body) HttpGet(string ns, string url)
    {
        var (_, output) = Exec(ns, "curl", "-s", "-m", "2", "-w", "\n%{http_code}", url);
        var cut = output.LastIndexOf('\n');
        return cut < 0 ? ("000", output) : (output[(cut + 1)..].Trim(), output[..cut]);
    }

    public void Dispose()
    {
        foreach (var key in _pods.Keys)
        {
            RemovePod(key);
        }

        Remove(NodeNamespace);
    }

    private static void Remove(string ns)
    {
        Shell.Run("ip", "netns", "del", ns);
        if (Directory.Exists($"/etc/netns/{ns}"))
        {
            Directory.Delete($"/etc/netns/{ns}", recursive: true);
        }
    }
}
