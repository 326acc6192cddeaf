using System.Net;

namespace K8sCache.Configuration.Tests;

public class EndpointParserTests
{
    [Theory]
    [InlineData("10.0.0.1:7070", "10.0.0.1", 7070)]
    [InlineData("[fd00::5]:7070", "fd00::5", 7070)]
    [InlineData("[::]:9090", "::", 9090)]
    [InlineData("peers.ns.svc.cluster.local:7070", "peers.ns.svc.cluster.local", 7070)]
    public void TryParseHostPort_AcceptsHostsAndBracketedIpv6(string text, string host, int port)
    {
        Assert.True(EndpointParser.TryParseHostPort(text, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("::1:7070")]
    [InlineData("fd00::5:7070")]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1:70000")]
    [InlineData(":7070")]
    public void TryParseHostPort_RefusesUnbracketedIpv6AndBadPorts(string text) =>
        Assert.False(EndpointParser.TryParseHostPort(text, out _, out _));

    [Theory]
    [InlineData("fd00:0:0::5", 7070, "[fd00::5]:7070")]
    [InlineData("10.0.0.1", 7070, "10.0.0.1:7070")]
    [InlineData("example", 80, "example:80")]
    public void Format_BracketsIpv6_InCanonicalForm(string host, int port, string expected) =>
        Assert.Equal(expected, EndpointParser.Format(host, port));

    [Fact]
    public void ToListenEndpoint_AllIpv6Addresses() =>
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 7070), EndpointParser.ToListenEndpoint("[::]:7070"));
}
