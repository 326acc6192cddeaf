using System.Net;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.Tests.Fixtures;
using K8sCache.Protocol.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Protocol.Tests.Grpc;

/// <summary>What the server puts on the wire, seen through a bare HTTP/2 client: no gRPC client library in between to
/// forgive a mistake.</summary>
public sealed class GrpcServerWireTests : IAsyncLifetime
{
    private const string GetPath = "/k8scache.v1.Cache/Get";
    private GrpcTestServer _server = null!;
    private readonly RawHttp2Client _client = new();

    public async Task InitializeAsync() => _server = await GrpcTestServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageSize = 1024 });

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_Success_SendsOneFramedMessageThenStatusInTrailers()
    {
        var response = await PostGetAsync("k1");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/grpc", response.ContentHeaders.ContentType?.MediaType);
        Assert.Null(response.Header("grpc-status"));
        Assert.Equal(0, response.Body[0]);
        Assert.Equal(response.Body.Length - 5, (response.Body[1] << 24) | (response.Body[2] << 16) | (response.Body[3] << 8) | response.Body[4]);
        var message = GetResponse.Parser.ParseFrom(response.Body.AsSpan(5));
        Assert.Equal("value:k1", message.Value.ToStringUtf8());
        Assert.Equal("0", response.Trailer("grpc-status"));
    }

    [Fact]
    public async Task ErrorBeforeAnyMessage_IsTrailersOnly_WithPercentEncodedMessage()
    {
        var response = await PostGetAsync("error");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.Body);
        Assert.Equal("5", response.Header("grpc-status"));
        Assert.Equal("unknown group 'gr%C3%BC%C3%9Fe' %E2%86%92 100%25", response.Header("grpc-message"));
        Assert.Null(response.Trailer("grpc-status"));
    }

    [Fact]
    public async Task UnknownMethod_IsUnimplemented()
    {
        var response = await _client.PostAsync(_server.Address, "/k8scache.v1.Cache/Nope", MessageFramingTests.Frame(new GetRequest()));

        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Contains("/k8scache.v1.Cache/Nope", response.Header("grpc-message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressedMessage_IsRefusedWithUnimplemented()
    {
        var frame = MessageFramingTests.Frame(new GetRequest { Key = "k" });
        frame[0] = 1;

        var response = await _client.PostAsync(_server.Address, GetPath, frame, headers: ("grpc-encoding", "gzip"));

        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Contains("Compressed", response.Header("grpc-message"), StringComparison.Ordinal);
        Assert.Equal("identity", response.Header("grpc-accept-encoding"));
    }

    [Fact]
    public async Task MessageAboveLimit_IsResourceExhausted_NamingTheLimit()
    {
        var response = await _client.PostAsync(_server.Address, GetPath, MessageFramingTests.Frame(new GetRequest { Key = new string('k', 2000) }));

        Assert.Equal("8", response.Header("grpc-status"));
        Assert.Contains("> 1024 bytes", response.Header("grpc-message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF }, "not valid protobuf")]
    [InlineData(new byte[0], "did not include a message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 1 }, "incomplete message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "more than one message")]
    public async Task MalformedRequestBody_IsInternal_WithTheReason(byte[] body, string reason)
    {
        var response = await _client.PostAsync(_server.Address, GetPath, body);

        Assert.Equal("13", response.Header("grpc-status"));
        Assert.Contains(reason, response.Header("grpc-message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidTimeoutHeader_IsInternal()
    {
        var response = await _client.PostAsync(_server.Address, GetPath, MessageFramingTests.Frame(new GetRequest { Key = "k" }),
            headers: ("grpc-timeout", "soon"));

        Assert.Equal("13", response.Header("grpc-status"));
    }

    [Fact]
    public async Task ExpiredDeadline_IsEnforcedByTheServer_AsDeadlineExceeded()
    {
        // The bare client enforces no deadline: the status can only come from the server's handling of grpc-timeout.
        var response = await _client.PostAsync(_server.Address, GetPath, MessageFramingTests.Frame(new GetRequest { Key = "slow" }),
            headers: ("grpc-timeout", "50m"));

        Assert.Equal("4", response.Header("grpc-status"));
        await _server.Service.DeadlineObserved.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task UnexpectedHandlerException_IsUnknown_WithoutLeakingDetails()
    {
        var response = await PostGetAsync("boom");

        Assert.Equal("2", response.Header("grpc-status"));
        Assert.DoesNotContain("bug", response.Header("grpc-message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamingErrorAfterMessages_TravelsInTrailers()
    {
        var request = new GetManyRequest { Keys = { "a", "b", "error" } };

        var response = await _client.PostAsync(_server.Address, "/k8scache.v1.Cache/GetMany", MessageFramingTests.Frame(request));

        Assert.Null(response.Header("grpc-status"));
        Assert.Equal("5", response.Trailer("grpc-status"));
        var first = GetManyItem.Parser.ParseFrom(response.Body.AsSpan(5, response.Body[4]));
        Assert.Equal("a", first.Key);
    }

    [Fact]
    public async Task RequestHeaders_AreVisibleToHandlers()
    {
        var response = await _client.PostAsync(_server.Address, GetPath, MessageFramingTests.Frame(new GetRequest { Key = "metadata" }),
            headers: ("x-k8scache-test", "token-123"));

        Assert.Equal("token-123", GetResponse.Parser.ParseFrom(response.Body.AsSpan(5)).Value.ToStringUtf8());
    }

    [Theory]
    [InlineData("application/json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/grpc+json", HttpStatusCode.UnsupportedMediaType)]
    public async Task NonGrpcContentType_IsRefusedWithHttpError(string contentType, HttpStatusCode expected)
    {
        var response = await _client.PostAsync(_server.Address, GetPath, [], contentType);

        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task Http11Request_OnHttp2OnlyPort_FailsCleanly_AndServerKeepsServing()
    {
        using var http11 = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeouts.Default };

        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with 400 and closes that connection.
        using var refused = await http11.PostAsync(_server.Address + GetPath, new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("HTTP/2 only endpoint", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal("0", (await PostGetAsync("after")).Trailer("grpc-status"));
    }

    [Fact]
    public async Task Http11Request_OnMixedPort_Gets426UpgradeRequired()
    {
        await using var mixed = await GrpcTestServer.StartAsync(protocols: HttpProtocols.Http1AndHttp2);
        using var http11 = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeouts.Default };

        using var response = await http11.PostAsync(mixed.Address + GetPath, new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Contains("HTTP/2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<RawResponse> PostGetAsync(string key) =>
        _client.PostAsync(_server.Address, GetPath, MessageFramingTests.Frame(new GetRequest { Group = "g", Key = key }));
}
