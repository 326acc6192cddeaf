using System.Text;
using K8sCache.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;

namespace K8sCache.Sidecar.Tests.Configuration;

public class SidecarOptionsReaderTests
{
    private const string DesignExample = """
        {
          "K8sCache": {
            "Self": "127.0.0.1:7070",
            "Discovery": "static:///127.0.0.1:7070,127.0.0.1:7170,127.0.0.1:7270",
            "PeerAddress": "0.0.0.0:7070",
            "ApiAddress": "127.0.0.1:7071",
            "GrpcAddress": "127.0.0.1:7072",
            "AdminAddress": "0.0.0.0:9090",
            "PeerTokenFile": "/var/run/k8scache/peer-token",
            "Limits": { "MaxKeyBytes": 1024, "MaxValueBytes": 1048576 },
            "Groups": [
              { "Name": "scores", "MaxBytes": "64Mi", "Ttl": "5m",
                "Loader": { "Url": "http://localhost:8080/scores/{key}", "Timeout": "2s" } }
            ]
          }
        }
        """;

    [Fact]
    public void Read_TheDesignExample_YieldsEveryValue()
    {
        var options = SidecarOptionsReader.Read(Json(DesignExample), podIp: null);

        Assert.Equal("127.0.0.1:7070", options.Self);
        Assert.Equal("static:///127.0.0.1:7070,127.0.0.1:7170,127.0.0.1:7270", options.Discovery);
        Assert.Equal("0.0.0.0:9090", options.AdminAddress);
        Assert.Equal("/var/run/k8scache/peer-token", options.PeerTokenFile);
        Assert.Equal(1_048_576, options.Limits.MaxValueBytes);
        var group = Assert.Single(options.Groups, g => g.Name != Defaults.TagsGroupName);
        Assert.Equal(("scores", 64L << 20, TimeSpan.FromMinutes(5)), (group.Name, group.MaxBytes, group.Ttl!.Value));
        Assert.Equal(("http://localhost:8080/scores/{key}", TimeSpan.FromSeconds(2)), (group.Loader!.Url, group.Loader.Timeout));
    }

    [Fact]
    public void Read_EnvironmentAndCommandLine_OverrideTheFile_InThatOrder()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(DesignExample)))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["K8sCache:Groups:0:MaxBytes"] = "128Mi", ["K8sCache:PeerTimeout"] = "5s" })
            .AddCommandLine(["--K8sCache:PeerTimeout=3500ms"])
            .Build();

        var options = SidecarOptionsReader.Read(configuration, podIp: null);

        Assert.Equal(128L << 20, options.Groups[0].MaxBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(3500), options.PeerTimeout);
    }

    [Fact]
    public void Read_WithAnIpv6PodIp_BracketsSelf_AndListensOnIpv6()
    {
        var options = SidecarOptionsReader.Read(Memory(("PeerTokenFile", "/t")), podIp: "fd00:0:0::5");

        Assert.Equal(("[fd00::5]:7070", Defaults.PeerAddressIPv6, Defaults.AdminAddressIPv6), (options.Self, options.PeerAddress, options.AdminAddress));
    }

    [Fact]
    public void Read_WithoutPeerTimeout_DerivesItFromTheLongestLoaderTimeout()
    {
        var options = SidecarOptionsReader.Read(Memory(
            ("Self", "127.0.0.1:7070"), ("PeerTokenFile", "/t"),
            ("Groups:0:Name", "slow"), ("Groups:0:Loader:Url", "http://localhost:8080/{key}"), ("Groups:0:Loader:Timeout", "5s"),
            ("Groups:1:Name", "fast"), ("Groups:1:Loader:Url", "http://localhost:8080/{key}"), ("Groups:1:Loader:Timeout", "100ms"),
            ("Groups:2:Name", "plain")), podIp: null);

        Assert.Equal(TimeSpan.FromSeconds(6), options.PeerTimeout);
    }

    [Fact]
    public void Read_WithoutLoaders_UsesTheDefaultPeerTimeout()
    {
        var options = SidecarOptionsReader.Read(Memory(("Self", "127.0.0.1:7070"), ("PeerTokenFile", "/t"), ("Groups:0:Name", "kv")), podIp: null);

        Assert.Equal(Defaults.PeerTimeout, options.PeerTimeout);
    }

    [Fact]
    public void Read_PeerTimeoutShorterThanALoad_IsRefusedWithTheReason()
    {
        var e = Assert.Throws<ConfigurationException>(() => SidecarOptionsReader.Read(Memory(
            ("Self", "127.0.0.1:7070"), ("PeerTokenFile", "/t"), ("PeerTimeout", "5s"),
            ("Groups:0:Name", "slow"), ("Groups:0:Loader:Url", "http://localhost:8080/{key}"), ("Groups:0:Loader:Timeout", "5s")), podIp: null));

        Assert.Contains("K8sCache:PeerTimeout: '5s' must be at least the longest loader timeout (5s) plus 1s", Assert.Single(e.Errors));
    }

    [Fact]
    public void Read_WithoutSelf_UsesPodIpAndThePeerPort()
    {
        var options = SidecarOptionsReader.Read(Memory(("PeerTokenFile", "/t"), ("PeerAddress", "0.0.0.0:7075")), podIp: "10.1.2.3");

        Assert.Equal("10.1.2.3:7075", options.Self);
        Assert.Equal("static:///10.1.2.3:7075", options.Discovery);
        // No group configured: only the one every sidecar serves, for HybridCache's tag records, outside the memory split.
        var tags = Assert.Single(options.Groups);
        Assert.Equal((Defaults.TagsGroupName, Defaults.TagsGroupMaxBytes, EvictionPolicy.Lru, null), (tags.Name, tags.MaxBytes, tags.Eviction, tags.Loader));
    }

    [Fact]
    public void Read_BadValues_ReportsEveryErrorWithItsKey()
    {
        var e = Assert.Throws<ConfigurationException>(() => SidecarOptionsReader.Read(Memory(
            ("Discovery", "consul://x"),
            ("PeerTimeout", "soon"),
            ("Limits:MaxValueBytes", "lots"),
            ("Groups:0:Name", "Scores!"),
            ("Groups:1:Name", "ok"),
            ("Groups:1:Ttl", "banana"),
            ("Groups:1:Eviction", "LFU"),
            ("Groups:1:Loader:Url", "http://localhost:8080/no-placeholder"),
            ("Groups:2:Name", "ok"),
            ("ApiAddress", "127.0.0.1:7070")), podIp: null));

        Assert.Contains(e.Errors, m => m.StartsWith("K8sCache:Self:", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("K8sCache:PeerTokenFile: required", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Discovery: 'consul://x' must start with static:/// or dns:///", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:PeerTimeout: 'soon'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Limits:MaxValueBytes: 'lots'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Groups:0:Name: 'Scores!' is not a DNS label", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Groups:1:Ttl: 'banana'", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Groups:1:Eviction: 'LFU' is not S3Fifo or Lru", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("has no {key} placeholder", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("group 'ok' is defined twice", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("need different, non-zero ports", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_TheRedisEndpoint_DefaultsToRedisPort_CanBeTurnedOff_AndItsSectionIsChecked()
    {
        (string, string)[] required = [("Self", "10.0.0.1:7070"), ("PeerTokenFile", "/t"), ("Groups:0:Name", "scores")];

        Assert.Equal("127.0.0.1:6379", SidecarOptionsReader.Read(Memory(required), podIp: null).RespAddress);
        Assert.Equal(string.Empty, SidecarOptionsReader.Read(Memory([.. required, ("RespAddress", "")]), podIp: null).RespAddress);
        var e = Assert.Throws<ConfigurationException>(() => SidecarOptionsReader.Read(Memory([.. required,
            ("Resp:DefaultGroup", "users"), ("Resp:UnixSocket", "relative.sock"), ("Resp:MaxRequestBytes", "1000"), ("Resp:MaxConnections", "5000"),
            ("RespAddress", "127.0.0.1:7071")]), podIp: null));

        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Resp:DefaultGroup: 'users' is not one of the groups (scores)", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Resp:UnixSocket: 'relative.sock' is not an absolute path", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Resp:MaxRequestBytes: 1000 is smaller than Limits:MaxValueBytes plus 64Ki", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("K8sCache:Resp:MaxConnections", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("need different, non-zero ports", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_GroupsWithoutMaxBytes_ShareWhatTheMemoryLimitLeaves_ByWeight()
    {
        (string, string)[] groups = [("Self", "10.0.0.1:7070"), ("PeerTokenFile", "/t"),
            ("Groups:0:Name", "a"), ("Groups:0:Weight", "3"), ("Groups:1:Name", "b"), ("Groups:2:Name", "c"), ("Groups:2:MaxBytes", "32Mi")];

        // 512Mi - 64Mi of fixed overhead - c's 32Mi at 4/3 bytes of memory per accounted byte leaves 405.3Mi of memory;
        // a and b split it 3:1 and take 3/4 of their share as budget: 228Mi and 76Mi. An LRU group takes half.
        var limited = SidecarOptionsReader.Read(Memory([.. groups, ("MemoryLimit", "512Mi")]), podIp: null);
        var fromCgroup = SidecarOptionsReader.Read(Memory(groups), podIp: null, cgroupMemoryLimit: 512L << 20);
        var unlimited = SidecarOptionsReader.Read(Memory(groups), podIp: null);

        Assert.Equal([239_075_328L, 79_691_775L, 32L << 20, Defaults.TagsGroupMaxBytes], limited.Groups.Select(g => g.MaxBytes));
        Assert.Equal(512L << 20, limited.MemoryLimit);
        Assert.Equal(limited.Groups.Select(g => g.MaxBytes), fromCgroup.Groups.Select(g => g.MaxBytes));
        Assert.Equal([64L << 20, 64L << 20, 32L << 20, Defaults.TagsGroupMaxBytes], unlimited.Groups.Select(g => g.MaxBytes));
        var e = Assert.Throws<ConfigurationException>(() => SidecarOptionsReader.Read(Memory([.. groups, ("MemoryLimit", "96Mi")]), podIp: null));
        Assert.Contains(e.Errors, m => m.Contains("the memory limit (100663296 bytes) leaves 0 bytes of memory for the groups without MaxBytes", StringComparison.Ordinal));
        var lru = SidecarOptionsReader.Read(Memory([.. groups, ("Groups:1:Eviction", "Lru"), ("MemoryLimit", "512Mi")]), podIp: null);
        Assert.Equal(425_022_808L / 4 / 2, lru.Groups[1].MaxBytes);
        // docs/configuration.md gives this example; its figures are the reader's.
        var mebibytes = limited.Groups.Take(2).Select(g => (g.MaxBytes / 1048576.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration.md")).ReplaceLineEndings(" ");
        Assert.Contains($"gives `a` {mebibytes[0]}Mi and `b` {mebibytes[1]}Mi", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void CgroupMemory_ReadsV2ThenV1_AndNoLimitIsNone()
    {
        var directory = Directory.CreateTempSubdirectory("k8scache-cgroup-").FullName;
        try
        {
            var (v2, v1) = (Path.Combine(directory, "memory.max"), Path.Combine(directory, "memory.limit_in_bytes"));
            File.WriteAllText(v1, "9223372036854771712\n");
            Assert.Null(CgroupMemory.ReadLimit(v2, v1));
            File.WriteAllText(v1, "268435456\n");
            Assert.Equal(268435456, CgroupMemory.ReadLimit(v2, v1));
            File.WriteAllText(v2, "max\n");
            Assert.Equal(268435456, CgroupMemory.ReadLimit(v2, v1));
            File.WriteAllText(v2, "134217728\n");
            Assert.Equal(134217728, CgroupMemory.ReadLimit(v2, v1));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("dns:///cache-peers.default.svc.cluster.local:7070", true)]
    [InlineData("static:///10.0.0.1:7070,10.0.0.2:7070", true)]
    [InlineData("static:///[fd00::1]:7070", true)]
    [InlineData("dns:///no-port", false)]
    [InlineData("static:///", false)]
    [InlineData("static:///host-without-port", false)]
    public void DiscoveryUri_IsValidated(string uri, bool valid) =>
        Assert.Equal(valid, DiscoveryUri.TryParse(uri, out _, out _));

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static IConfiguration Memory(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("K8sCache:" + v.Key, v.Value))).Build();
}
