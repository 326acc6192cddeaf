using K8sCache.Operator.Hosting;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace K8sCache.Operator.Tests.Hosting;

public class OperatorOptionsReaderTests
{
    [Fact]
    public void ClusterDomain_DefaultsToClusterLocal_AndReachesTheDiscoveryUri()
    {
        var defaults = OperatorOptionsReader.Read(Config());
        var custom = OperatorOptionsReader.Read(Config(("Operator:ClusterDomain", "corp.example")));

        var config = SidecarConfigRenderer.Render(CacheGroups.Minimal(), new RenderOptions { ClusterDomain = custom.ClusterDomain });

        Assert.Equal("cluster.local", defaults.ClusterDomain);
        Assert.Contains("dns:///scores-peers.games.svc.corp.example:7070", config, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Corp.Example")]
    [InlineData("corp..example")]
    [InlineData("-corp.example")]
    public void ClusterDomain_ThatIsNotADnsName_IsRefusedNamingTheKey(string domain)
    {
        var e = Assert.Throws<InvalidDataException>(() => OperatorOptionsReader.Read(Config(("Operator:ClusterDomain", domain))));

        Assert.Contains("Operator:ClusterDomain", e.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
