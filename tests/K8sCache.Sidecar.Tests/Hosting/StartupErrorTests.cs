using System.Net;
using System.Net.Sockets;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Hosting;

/// <summary>The sidecar process refusing to start as a person needs it to: one line naming the option, the value and
/// the reason on stderr, exit code 1, no stack trace.</summary>
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8scache-startup-").FullName;
    private readonly string _ip = SidecarCluster.RandomNetwork() + ".1";

    [Fact]
    public async Task ATakenRedisPort_NamesRespAddress()
    {
        using var node = new SidecarNode(_ip, _directory);
        node.WriteConfig("static:///" + node.PeerAddress, Token(), "http://127.0.0.1:1/load/{key}");
        using var taken = new TcpListener(IPAddress.Parse(_ip), node.RespPort);
        taken.Start();

        node.Start();

        var line = await SingleErrorLineAsync(node.Process);
        Assert.Equal($"k8scache-sidecar: K8sCache:RespAddress: '{_ip}:{node.RespPort}' cannot be listened on: address already in use (another process listens there).", line);
    }

    [Fact]
    public async Task AnUnreadableTokenFile_NamesPeerTokenFile()
    {
        using var node = new SidecarNode(_ip, _directory);
        var missing = Path.Combine(_directory, "no-such-token");
        node.WriteConfig("static:///" + node.PeerAddress, missing, "http://127.0.0.1:1/load/{key}");

        node.Start();

        var line = await SingleErrorLineAsync(node.Process);
        Assert.StartsWith($"k8scache-sidecar: K8sCache:PeerTokenFile: cannot read '{missing}'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"K8sCache\": ", "not a valid JSON configuration")]
    [InlineData(null, "no such file")]
    public async Task ABrokenOrMissingConfigFile_NamesTheFlagAndThePath(string? text, string reason)
    {
        var path = Path.Combine(_directory, "config.json");
        if (text is not null)
        {
            await File.WriteAllTextAsync(path, text);
        }

        using var process = Start("--config", path);

        var line = await SingleErrorLineAsync(process);
        Assert.StartsWith($"k8scache-sidecar: --config: '{path}': {reason}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadOption_NamesTheOptionTheValueAndTheRange()
    {
        using var node = new SidecarNode(_ip, _directory);
        node.WriteConfig("static:///" + node.PeerAddress, Token(), "http://127.0.0.1:1/load/{key}");
        using var process = Start("--config", Path.Combine(_directory, $"sidecar-{_ip}-7070.json"), "--K8sCache:Groups:1:Weight=heavy");

        var line = await SingleErrorLineAsync(process);
        Assert.Equal("k8scache-sidecar: K8sCache:Groups:1:Weight: 'heavy' is not a whole number between 1 and 1000.", line);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ChildProcess Start(params string[] args) => ChildProcess.Start(
        "dotnet", AppContext.BaseDirectory, [Path.Combine(AppContext.BaseDirectory, "k8scache-sidecar.dll"), .. args], captureOutput: true);

    private static async Task<string> SingleErrorLineAsync(ChildProcess process)
    {
        var exit = await process.WaitForExitAsync(TestTimeouts.Default);
        var lines = process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == 1 && lines.Length == 1, $"exit {exit}, stderr:\n{process.StandardError}");
        Assert.DoesNotContain("Exception", process.StandardOutput, StringComparison.Ordinal);
        return lines[0];
    }

    private string Token()
    {
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, "startup-error-test-token-0123456789");
        return path;
    }
}
