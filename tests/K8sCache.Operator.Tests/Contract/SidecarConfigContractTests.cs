using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;
using K8sCache.Configuration;
using K8sCache.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;

namespace K8sCache.Operator.Tests.Contract;

/// <summary>
/// The contract between operator and sidecar, tested from both ends: every configuration the operator renders is read
/// by the sidecar's own options reader without error, and means what the CacheGroup said — the values the user set,
/// the sidecar's defaults for the rest, and the ports the pod declares.
/// </summary>
public class SidecarConfigContractTests
{
    private const string PodIp = "10.1.2.3";

    public static TheoryData<string> Sources()
    {
        var data = new TheoryData<string> { "minimal", "full" };
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "examples"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void RenderedConfig_IsReadBySidecar_AndMeansWhatTheCacheGroupSaid(string source)
    {
        var cg = Load(source);

        var options = SidecarOptionsReader.Read(Read(SidecarConfigRenderer.Render(cg, new RenderOptions())), PodIp);

        Assert.Equal($"{PodIp}:{Ports.Peer}", options.Self);
        Assert.Equal(
            (Ports.Peer, Ports.Api, Ports.Grpc, Ports.Metrics, Ports.Resp),
            (EndpointParser.PortOf(options.PeerAddress), EndpointParser.PortOf(options.ApiAddress),
                EndpointParser.PortOf(options.GrpcAddress), EndpointParser.PortOf(options.AdminAddress), EndpointParser.PortOf(options.RespAddress)));
        Assert.Equal(cg.Spec.Resp?.DefaultGroup, options.Resp.DefaultGroup);
        Assert.Equal(cg.Spec.Resp?.UnixSocket == true ? SidecarConfigRenderer.RespSocketPath : null, options.Resp.UnixSocket);
        var discovery = DiscoveryUri.Parse(options.Discovery);
        Assert.Equal(($"{ObjectNames.PeerService(cg)}.{cg.Metadata.Namespace}.svc.cluster.local", Ports.Peer), (discovery.DnsName, discovery.DnsPort));
        Assert.Equal($"{SidecarConfigRenderer.TokenDirectory}/{SidecarConfigRenderer.TokenKey}", options.PeerTokenFile);
        Assert.Equal(cg.Spec.Limits?.MaxKeyBytes ?? Defaults.MaxKeyBytes, options.Limits.MaxKeyBytes);
        Assert.Equal(cg.Spec.Limits?.MaxValueBytes ?? Defaults.MaxValueBytes, options.Limits.MaxValueBytes);
        // The CacheGroup's groups, in order, then the one every sidecar adds for HybridCache's tag records.
        Assert.Equal([.. cg.Spec.Groups.Select(g => g.Name), Defaults.TagsGroupName], options.Groups.Select(g => g.Name));
        foreach (var (spec, read) in cg.Spec.Groups.Zip(options.Groups))
        {
            Assert.Equal(spec.MaxBytes is null ? Defaults.GroupMaxBytes : Size(spec.MaxBytes), read.MaxBytes);
            Assert.Equal(spec.Ttl is null ? null : Time(spec.Ttl), read.Ttl);
            Assert.Equal(spec.Weight ?? 1, read.Weight);
            Assert.Equal(spec.Eviction is null ? EvictionPolicy.S3Fifo : Enum.Parse<EvictionPolicy>(spec.Eviction), read.Eviction);
            Assert.Equal(spec.Loader?.Url, read.Loader?.Url);
            Assert.Equal(spec.Loader?.Grpc, read.Loader?.Grpc);
            if (spec.Loader is { } loader)
            {
                Assert.Equal(loader.Timeout is null ? Defaults.LoaderTimeout : Time(loader.Timeout), read.Loader!.Timeout);
                Assert.True(options.PeerTimeout >= read.Loader.Timeout + Defaults.PeerTimeoutMargin, "the peer timeout outlasts the loader's");
            }
        }
    }

    [Fact]
    public void PodPorts_AreTheSidecarsDefaultAddresses()
    {
        Assert.Equal(
            (Ports.Peer, Ports.Api, Ports.Grpc, Ports.Metrics, Ports.Resp),
            (EndpointParser.PortOf(Defaults.PeerAddress), EndpointParser.PortOf(Defaults.ApiAddress),
                EndpointParser.PortOf(Defaults.GrpcAddress), EndpointParser.PortOf(Defaults.AdminAddress), EndpointParser.PortOf(Defaults.RespAddress)));
    }

    [Fact]
    public void TheExampleInTheConfigurationDocs_IsWhatTheOperatorRenders()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration.md"));
        var section = docs[docs.IndexOf("## Example", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```json", StringComparison.Ordinal) + 7)..];
        var documented = System.Text.Json.Nodes.JsonNode.Parse(block[..block.IndexOf("```", StringComparison.Ordinal)]);

        var rendered = System.Text.Json.Nodes.JsonNode.Parse(SidecarConfigRenderer.Render(Load("cachegroup-with-app.yaml"), new RenderOptions()));

        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(documented, rendered), rendered!.ToJsonString());
    }

    private static CacheGroup Load(string source)
    {
        switch (source)
        {
            case "minimal":
                return CacheGroups.Minimal();
            case "full":
                return CacheGroups.Full();
            default:
                using (var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "examples", source)))
                {
                    var cg = CacheGroupDocuments.Read(reader).Single();
                    cg.Metadata.Namespace ??= "default";
                    return cg;
                }
        }
    }

    private static IConfigurationRoot Read(string json)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return new ConfigurationBuilder().AddJsonStream(stream).Build();
    }

    private static TimeSpan Time(string duration) =>
        Duration.TryParse(duration, out var value) ? value : throw new FormatException($"'{duration}' is not a duration");

    private static long Size(string quantity) =>
        ByteSize.TryParse(quantity, out var bytes) ? bytes : throw new FormatException($"'{quantity}' is not a quantity");
}
