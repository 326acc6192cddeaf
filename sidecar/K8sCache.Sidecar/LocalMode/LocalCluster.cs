using System.Globalization;
using System.Runtime.InteropServices;
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
        var loader = DemoLoader.Build(LoaderPort);
        var options = Enumerable.Range(0, nodes).Select(i => Options(i, members, tokenFile)).ToArray();
        var apps = options.Select(o => Build(o, tokenFile)).ToArray();
        // Ctrl-C or SIGTERM ends the whole cluster; a node restarted on request stops alone.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => stop.Cancel());
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => stop.Cancel());
        try
        {
            await loader.StartAsync();
            foreach (var app in apps)
            {
                await app.StartAsync();
            }

            PrintWelcome(nodes);
            await RestartOnRequestAsync(apps, options, tokenFile, stop.Token);
            return 0;
        }
        finally
        {
            foreach (var app in apps.Append(loader))
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }

            File.Delete(tokenFile);
        }
    }

    /// <summary>Reads commands until Ctrl-C: <c>restart N</c> stops node N as a pod is stopped (it hands its entries
    /// over and says it is leaving, then stops) and starts it again on the same addresses, as a rolling restart does.</summary>
    private static async Task RestartOnRequestAsync(WebApplication[] apps, SidecarOptions[] options, string tokenFile, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await Console.In.ReadLineAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                // No console (input closed): serve until Ctrl-C.
                await Task.Delay(Timeout.Infinite, stop).ContinueWith(static _ => { }, TaskScheduler.Default);
                return;
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["restart", var text] && int.TryParse(text, CultureInfo.InvariantCulture, out var node) && node >= 0 && node < apps.Length)
            {
                Console.WriteLine($"stopping node {node} (it hands its entries to the others first)");
                await apps[node].StopAsync(CancellationToken.None);
                await apps[node].DisposeAsync();
                apps[node] = Build(options[node], tokenFile);
                await apps[node].StartAsync(CancellationToken.None);
                Console.WriteLine($"node {node} is back; the others hand its keys back (curl http://{options[node].ApiAddress}/v1/stats: handOverReceived, localLoads)");
            }
            else if (words.Length > 0)
            {
                Console.WriteLine($"unknown command '{line}'; type: restart 0..{apps.Length - 1}");
            }
        }
    }

    private static SidecarOptions Options(int i, string[] members, string tokenFile) => new()
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

    private static WebApplication Build(SidecarOptions options, string tokenFile) =>
        SidecarHost.Build(options, SidecarHost.ReadPeerToken(tokenFile), new ConfigurationBuilder().Build(), configPath: null,
            logging => logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning));

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

            The logs say which node loaded which key. Type "restart 0" to stop node 0 as a deploy stops a pod (it hands
            its entries over) and start it again: the keys it owned are not loaded again. Ctrl-C stops everything.

            """);
    }
}
