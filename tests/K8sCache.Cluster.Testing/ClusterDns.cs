using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Kubernetes.Testing;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// The stand-in for cluster DNS: Debian's dnsmasq in the node's network namespace, on the node's bridge address, port
/// 53, answering for <c>SERVICE.NS.svc.DOMAIN</c> of every headless Service with its pods' IPs (ready ones; not-ready
/// ones too when <c>publishNotReadyAddresses</c>) and for each such pod's <c>HOSTNAME.SUBDOMAIN.NS.svc.DOMAIN</c>,
/// with a 5 s TTL as CoreDNS's kubernetes plugin gives. Records are rewritten every half second from the API test
/// server's Services and Pods; dnsmasq re-reads its hosts directory on change. Anything else is "no such name".
/// </summary>
public sealed class ClusterDns : IDisposable
{
    private readonly KubernetesApiTestServer _server;
    private readonly string _hostsDirectory;
    private readonly ChildProcess _dnsmasq;
    private string _written = string.Empty;

    public ClusterDns(KubernetesApiTestServer server, PodNetwork network, string directory, string domain = "cluster.local")
    {
        _server = server;
        Domain = domain;
        _hostsDirectory = Directory.CreateDirectory(Path.Combine(directory, "dns-hosts")).FullName;
        Write();
        // dnsmasq drops capabilities once it listens, which clears a parent-death signal; so a shell that keeps one
        // (SIGTERM) runs it and stops it when the test host goes.
        _dnsmasq = HostBoundProcess.Start(() => ChildProcess.Start("ip", directory,
        [
            "netns", "exec", network.NodeNamespace, "setpriv", "--pdeathsig", "TERM", "sh", "-c", """trap 'kill "$child"; exit' TERM; "$@" & child=$!; wait "$child" """, "dnsmasq",
            "/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", $"--listen-address={network.NodeIp}", "--bind-interfaces",
            "--port=53", $"--hostsdir={_hostsDirectory}", $"--local=/{domain}/", "--local-ttl=5", "--pid-file=", "--user=root", "--log-facility=-",
        ], captureOutput: true));
        WaitUntilListening(network);
        ResolvConf = $"nameserver {network.NodeIp}\nsearch svc.{domain} {domain}\noptions ndots:5 timeout:1 attempts:2\n";
    }

    public string Domain { get; }

    /// <summary>The resolv.conf every pod gets.</summary>
    public string ResolvConf { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Write();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>The records written last, for failure messages.</summary>
    public string Records => _written;

    public void Dispose() => _dnsmasq.Dispose();

    /// <summary>Pods started before dnsmasq listens would find no peers; a dnsmasq that cannot start says why here
    /// rather than as pods that never become Ready.</summary>
    private void WaitUntilListening(PodNetwork network)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!_dnsmasq.HasExited && DateTime.UtcNow < deadline)
        {
            if (network.Exec(network.NodeNamespace, "ss", "-Hlun", "sport = :53").Output.Contains(network.NodeIp + ":53", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(50);
        }

        _dnsmasq.Dispose();
        throw new InvalidOperationException($"cluster DNS (dnsmasq) is not listening on {network.NodeIp}:53: {_dnsmasq.StandardOutput}{_dnsmasq.StandardError}");
    }

    private void Write()
    {
        var hosts = new StringBuilder();
        var pods = _server.Store.List(_server.Resource("v1", "pods"), null, p => (string?)p["status"]?["podIP"] is not null).Items;
        foreach (var service in _server.Store.List(_server.Resource("v1", "services"), null, s => (string?)s["spec"]?["clusterIP"] == "None").Items)
        {
            var ns = (string)service["metadata"]!["namespace"]!;
            var name = (string)service["metadata"]!["name"]!;
            var selector = service["spec"]!["selector"] as JsonObject ?? new JsonObject();
            var notReady = (bool?)service["spec"]!["publishNotReadyAddresses"] == true;
            foreach (var pod in pods.Where(p => (string?)p["metadata"]!["namespace"] == ns && Matches(p, selector) && (notReady || StatefulSetController.IsReady(p))))
            {
                var ip = (string)pod["status"]!["podIP"]!;
                hosts.Append($"{ip} {name}.{ns}.svc.{Domain}");
                if ((string?)pod["spec"]?["subdomain"] == name && (string?)pod["spec"]?["hostname"] is { } hostname)
                {
                    hosts.Append($" {hostname}.{name}.{ns}.svc.{Domain}");
                }

                hosts.Append('\n');
            }
        }

        var text = hosts.ToString();
        if (text == _written)
        {
            return;
        }

        // Written aside and renamed in, so dnsmasq never reads half a file.
        var temporary = Path.Combine(Path.GetDirectoryName(_hostsDirectory)!, "dns-hosts.tmp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, Path.Combine(_hostsDirectory, "services"), overwrite: true);
        _written = text;
    }

    private static bool Matches(JsonObject pod, JsonObject selector) =>
        selector.All(s => (string?)pod["metadata"]?["labels"]?[s.Key] == (string?)s.Value);
}
