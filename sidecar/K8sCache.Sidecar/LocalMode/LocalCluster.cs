using System.Globalization;
using System.Security.Cryptography;
using K8sCache.Configuration;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hosting;

namespace K8sCache.Sidecar.LocalMode;

/// <summary>
/// <c>k8scache-sidecar local</c>: N full cache nodes in this process (default 3), each with its own ports on
/// 127.0.0.1 and talking real gRPC to the others, plus the demo loader. Node i (from 0) uses the default ports plus 100i:
/// 7070+100i (peer), 7071+100i (HTTP API), 7072+100i (gRPC API) and 9090+100i (admin). Ctrl-C stops everything.
/// </summary>
internal static class LocalCluster
{
    private const int LoaderPort = 8080;

    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = 3;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--nodes" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 9)
            {
                nodes = n;
                i++;
            }
            else
            {
                await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'; usage: k8scache-sidecar local [--nodes 1..9]");
                return 2;
            }
        }

        var tokenFile = Path.Combine(Path.GetTempPath(), $"k8scache-local-{Environment.ProcessId}.token");
        await File.WriteAllTextAsync(tokenFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        var members = Enumerable.Range(0, nodes).Select(i => Loopback(Defaults.PeerAddress, i)).ToArray();
        var apps = new List<WebApplication> { DemoLoader.Build(LoaderPort) };
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                var options = new SidecarOptions
                {
                    Self = members[i],
                    Discovery = "static:///" + string.Join(',', members),
                    PeerAddress = members[i],
                    ApiAddress = Loopback(Defaults.ApiAddress, i),
                    GrpcAddress = Loopback(Defaults.GrpcAddress, i),
                    AdminAddress = Loopback(Defaults.AdminAddress, i),
                    RespAddress = Loopback(Defaults.RespAddress, i),
                    PeerTokenFile = tokenFile,
                    Groups =
                    [
                        new GroupOptions
                        {
                            Name = "scores",
                            Ttl = TimeSpan.FromMinutes(5),
                            Loader = new LoaderOptions { Url = $"http://127.0.0.1:{LoaderPort}/scores/{{key}}" },
                        },
                    ],
                };
                apps.Add(SidecarHost.Build(options, SidecarHost.ReadPeerToken(tokenFile), new ConfigurationBuilder().Build(), configPath: null,
                    logging => logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)));
            }

            foreach (var app in apps)
            {
                await app.StartAsync();
            }

            PrintWelcome(nodes);
            await Task.WhenAny(apps.Select(a => a.WaitForShutdownAsync()));
            return 0;
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            File.Delete(tokenFile);
        }
    }

    /// <summary>Node <paramref name="index"/>'s address for the endpoint whose default is <paramref name="defaultAddress"/>:
    /// 127.0.0.1 and the default port plus 100 per node.</summary>
    private static string Loopback(string defaultAddress, int index) =>
        $"127.0.0.1:{EndpointParser.PortOf(defaultAddress) + 100 * index}";

    private static void PrintWelcome(int nodes)
    {
        var first = Loopback(Defaults.ApiAddress, 0);
        var last = Loopback(Defaults.ApiAddress, nodes - 1);
        var admin = Loopback(Defaults.AdminAddress, 0);
        var resp = EndpointParser.PortOf(Loopback(Defaults.RespAddress, nodes - 1));
        Console.WriteLine($$"""

            K8sCache local cluster: {{nodes}} node(s) on 127.0.0.1, group "scores" filled from the demo loader at
            http://127.0.0.1:{{LoaderPort}}/scores/{key} (Tom, Jack, Sam, Peter, Alice, Bob). Try:

              curl -i http://{{first}}/v1/groups/scores/keys/Tom       # X-Cache: load (or peer): one load in the cluster
              curl -i http://{{last}}/v1/groups/scores/keys/Tom       # another node: from the owner, no second load
              curl -i -X PUT --data 700 'http://{{last}}/v1/groups/scores/keys/Tom?ttl=30s'
              curl -i http://{{first}}/v1/groups/scores/keys/Tom       # 700 on every node
              curl -i -X DELETE http://{{first}}/v1/groups/scores/keys/Tom
              curl http://{{first}}/v1/stats
              curl http://{{admin}}/metrics
              redis-cli -p {{resp}} GET scores:Sam                  # the same cache over the Redis protocol

            The logs say which node loaded which key. Ctrl-C stops everything.

            """);
    }
}
