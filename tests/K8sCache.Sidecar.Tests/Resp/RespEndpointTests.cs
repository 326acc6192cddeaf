using System.Net.Sockets;
using System.Text;
using K8sCache.Sidecar.Tests.Cluster;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>
/// The Redis endpoint's limits and hostile input, on one sidecar process with a password, a Unix domain socket, a cap
/// of 3 connections and a 200,000-byte request limit: every refusal is Redis's error reply, and nothing stored is lost.
/// </summary>
[Collection(ClusterCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RespEndpointTests : IAsyncLifetime
{
    private const string Password = "s3cret-resp-password";
    private SidecarCluster _cluster = null!;
    private SidecarNode _node = null!;

    private string Socket => Path.Combine(_cluster.Directory, "resp.sock");

    public async Task InitializeAsync()
    {
        _cluster = await SidecarCluster.CreateAsync();
        var passwordFile = Path.Combine(_cluster.Directory, "resp-password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        _node = _cluster.StartNode(1, $"static:///{_cluster.Network}.1:7070", configure: node => node.Settings["Resp"] = new Dictionary<string, object>
        {
            ["PasswordFile"] = passwordFile,
            ["UnixSocket"] = Path.Combine(_cluster.Directory, "resp.sock"),
            ["MaxConnections"] = 3,
            ["MaxRequestBytes"] = 200_000,
        });
        await _cluster.WaitForMembersAsync(_node, [$"{_cluster.Network}.1:7070"]);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task WithAPassword_CommandsWaitForAuth_WrongPasswordsAreRefused_HelloCanAuthenticate()
    {
        using var client = await ConnectAsync(authenticate: false);

        Assert.Equal("-NOAUTH Authentication required.", await client.CallAsync("GET", "kv:a"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await client.CallAsync("AUTH", "wrong"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await client.CallAsync("AUTH", "admin", Password));
        var hello = (List<object?>)(await client.CallAsync("HELLO", "3", "AUTH", "default", Password))!;
        Assert.Equal(["server", "redis", "version", "7.2.0", "proto", 3L], hello.Take(6));
        Assert.Equal("+OK", await client.CallAsync("SET", "kv:a", "1"));
        Assert.Equal("+RESET", await client.CallAsync("RESET"));
        Assert.Equal("-NOAUTH Authentication required.", await client.CallAsync("GET", "kv:a"));
    }

    [Fact]
    public async Task TheUnixSocket_ServesTheSameCache_ToItsOwnerAndGroupOnly()
    {
        using var tcp = await ConnectAsync();
        await tcp.CallAsync("SET", "kv:via-tcp", "shared");
        using var unix = await RespTestClient.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
        await unix.CallAsync("AUTH", Password);

        Assert.Equal("shared", await unix.CallAsync("GET", "kv:via-tcp"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(Socket));
    }

    [Fact]
    public async Task AConnectionOverTheCap_GetsRedisError_AndTheOthersKeepWorking()
    {
        var open = new List<RespTestClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await ConnectAsync());
            }

            using var refused = await RespTestClient.ConnectAsync(_node.Ip, _node.RespPort);
            Assert.Equal("-ERR max number of clients reached", refused.Read());
            Assert.True(refused.IsClosedByServer());
            Assert.Equal("+PONG", await open[2].CallAsync("PING"));
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task MalformedFrames_AreProtocolErrors_ThatCloseOnlyThatConnection()
    {
        using var keeper = await ConnectAsync();
        await keeper.CallAsync("SET", "kv:kept", "intact");

        foreach (var (frame, error) in new[]
        {
            ("*abc\r\n", "-ERR Protocol error: invalid multibulk length"),
            ("*2\r\n$3\r\nGET\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'"),
            ("*1\r\n$-7\r\n", "-ERR Protocol error: invalid bulk length"),
            ("*1\r\n$4\r\nPINGxx", "-ERR Protocol error: expected CRLF after a bulk string"),
            ("*9999999\r\n", "-ERR Protocol error: invalid multibulk length"),
        })
        {
            using var client = await ConnectAsync();
            await client.SendAsync(Encoding.ASCII.GetBytes(frame));
            Assert.Equal(error, client.Read());
            Assert.True(client.IsClosedByServer(), frame);
        }

        Assert.Equal("intact", await keeper.CallAsync("GET", "kv:kept"));
    }

    [Fact]
    public async Task ARequestOverMaxRequestBytes_IsRefusedBeforeItArrives_AndAValueOverTheLimitIsAnErrorOnAnOpenConnection()
    {
        using var client = await ConnectAsync();
        await client.CallAsync("SET", "kv:big", "small");

        // Only the header of a 300,000-byte argument: refused at once, without waiting for (or buffering) the rest.
        await client.SendAsync(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$6\r\nkv:big\r\n$300000\r\n"));
        Assert.Equal("-ERR Protocol error: the request is larger than Resp:MaxRequestBytes (200000 bytes)", client.Read());
        Assert.True(client.IsClosedByServer());

        using var other = await ConnectAsync();
        var reply = (string?)await other.CallAsync("SET", "kv:big", new byte[70_000]);
        Assert.StartsWith("-ERR the value is 70000 bytes", reply, StringComparison.Ordinal);
        Assert.Equal("small", await other.CallAsync("GET", "kv:big"));
    }

    [Fact]
    public async Task APipelineOf2000Commands_SentInOneWrite_IsAnsweredInOrder()
    {
        using var client = await ConnectAsync();
        var batch = Enumerable.Range(0, 1000).SelectMany(i => RespTestClient.Command("SET", $"kv:p{i}", $"v{i}").Concat(RespTestClient.Command("GET", $"kv:p{i}"))).ToArray();
        await client.SendAsync(batch);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("+OK", client.Read());
            Assert.Equal($"v{i}", client.Read());
        }
    }

    [Fact]
    public async Task AClientThatDoesNotRead_HoldsBackItsOwnReplies_AndGetsThemAllWhenItReads()
    {
        using var client = await ConnectAsync();
        var value = new string('x', 60_000);
        await client.CallAsync("SET", "kv:wide", value);

        // 30 MB of replies asked for at once: the server waits on the full socket instead of buffering them all.
        var request = RespTestClient.Command("GET", "kv:wide");
        await client.SendAsync(Enumerable.Repeat(request, 500).SelectMany(r => r).ToArray());
        using var other = await ConnectAsync();
        Assert.Equal("+PONG", await other.CallAsync("PING"));

        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(value, client.Read());
        }
    }

    [Fact]
    public async Task InlineCommands_FromATerminal_AreServed()
    {
        using var client = await ConnectAsync();
        await client.SendAsync("SET kv:inline typed\r\nGET kv:inline\r\n\r\nPING\n"u8.ToArray());

        Assert.Equal("+OK", client.Read());
        Assert.Equal("typed", client.Read());
        Assert.Equal("+PONG", client.Read());
    }

    private async Task<RespTestClient> ConnectAsync(bool authenticate = true)
    {
        var client = await RespTestClient.ConnectAsync(_node.Ip, _node.RespPort);
        if (authenticate)
        {
            Assert.Equal("+OK", await client.CallAsync("AUTH", Password));
        }

        return client;
    }
}
