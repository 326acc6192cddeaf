using System.Net;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>Every entry point refuses bad input with a reason, and nothing stored is lost: the node keeps serving.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputClusterTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>, IAsyncLifetime
{
    private SidecarCluster Cluster => fixture.Cluster;

    private SidecarNode Node => Cluster.Nodes[0];

    public async Task InitializeAsync()
    {
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Node, "kv", "precious"), new StringContent("keep me"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
    }

    public async Task DisposeAsync()
    {
        // Whatever the test sent, the stored value is intact on every node.
        foreach (var node in Cluster.Nodes)
        {
            var (status, body, _) = await Cluster.GetAsync(node, "kv", "precious");
            Assert.Equal((HttpStatusCode.OK, "keep me"), (status, body));
        }
    }

    [Fact]
    public async Task Http_KeyAboveLimit_Is400NamingTheLimit()
    {
        var (status, body, _) = await Cluster.GetAsync(Node, "kv", new string('k', 300));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("MaxKeyBytes=256", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ValueAboveLimit_Is413NamingTheLimit_AndTheOldValueStays()
    {
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Node, "kv", "precious"), new ByteArrayContent(new byte[70_000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        Assert.Contains("MaxValueBytes=65536", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ChunkedValueAboveLimit_Is413()
    {
        var content = new StreamContent(new MemoryStream(new byte[70_000]));
        using var request = new HttpRequestMessage(HttpMethod.Put, Cluster.KeyUri(Node, "kv", "chunked")) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Cluster.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Http_UnknownGroup_Is404NamingTheGroups()
    {
        var (status, body, _) = await Cluster.GetAsync(Node, "nope", "k");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("unknown group 'nope'; this node serves: kv, scores", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?ttl=banana")]
    [InlineData("?ttl=-5s")]
    [InlineData("?ttl=0")]
    public async Task Http_BadTtl_Is400(string query)
    {
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Node, "kv", "ttl-bad", query), new StringContent("v"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("ttl", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_EmptyKey_Is400_AndOtherPathsAre404()
    {
        using var empty = await Cluster.Http.GetAsync(new Uri(Node.ApiUri, "/v1/groups/kv/keys/"));
        using var other = await Cluster.Http.GetAsync(new Uri(Node.ApiUri, "/admin"));
        using var post = await Cluster.Http.PostAsync(Cluster.KeyUri(Node, "kv", "k"), new StringContent("v"));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Grpc_BadRequests_GetTheirStatusCodes()
    {
        using var channel = GrpcChannel.ForAddress(Node.GrpcAddress);

        var longKey = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "kv", Key = new string('k', 300) }));
        var unknownGroup = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "nope", Key = "k" }));
        var bigValue = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CacheService.Set,
            new SetRequest { Group = "kv", Key = "precious", Value = Google.Protobuf.ByteString.CopyFrom(new byte[70_000]) }));
        var negativeTtl = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CacheService.Set, new SetRequest { Group = "kv", Key = "k", TtlMs = -1 }));

        Assert.Equal(StatusCode.InvalidArgument, longKey.StatusCode);
        Assert.Contains("MaxKeyBytes", longKey.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknownGroup.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, bigValue.StatusCode);
        Assert.Contains("MaxValueBytes", bigValue.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, negativeTtl.StatusCode);
    }

    [Fact]
    public async Task Grpc_MalformedFrame_IsInternal_AndTheNodeKeepsServing()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, Node.GrpcAddress + "/k8scache.v1.Cache/Get")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF]),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");

        using var response = await http.SendAsync(request);

        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
        using var channel = GrpcChannel.ForAddress(Node.GrpcAddress);
        Assert.True((await channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "kv", Key = "precious" })).Found);
    }

    [Fact]
    public async Task PeerPort_WithoutOrWithAWrongToken_IsUnauthenticated()
    {
        using var anonymous = GrpcChannel.ForAddress("http://" + Node.PeerAddress);
        using var impostor = GrpcChannel.ForAddress("http://" + Node.PeerAddress, new GrpcChannelOptions { DefaultHeaders = [new("authorization", "Bearer guessed-token-123456")] });
        var token = new GrpcChannelOptions { DefaultHeaders = [new("authorization", "Bearer " + File.ReadAllText(Cluster.TokenFile).Trim())] };
        var request = new PeerDeleteRequest { Group = "kv", Key = "precious" };

        var none = await Assert.ThrowsAsync<RpcException>(() => anonymous.UnaryAsync(PeerService.Delete, request));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => impostor.UnaryAsync(PeerService.Delete, request));
        var answers = new List<string>();
        foreach (var node in Cluster.Nodes)
        {
            using var member = GrpcChannel.ForAddress("http://" + node.PeerAddress, token);
            answers.Add((await member.UnaryAsync(PeerService.Get, new PeerGetRequest { Group = "kv", Key = "precious" })).Value.ToStringUtf8());
        }

        Assert.Equal((StatusCode.Unauthenticated, "missing peer token (authorization: Bearer TOKEN)"), (none.StatusCode, none.Detail));
        Assert.Equal((StatusCode.Unauthenticated, "wrong peer token"), (wrong.StatusCode, wrong.Detail));
        // With the token, peers answer: the owner from its main cache (a peer never forwards, so others may not know it).
        Assert.Contains("keep me", answers);
    }

    [Fact]
    public async Task Grpc_CacheApi_GetSetDeleteAndGetMany()
    {
        using var channel = GrpcChannel.ForAddress(Cluster.Nodes[1].GrpcAddress);

        await channel.UnaryAsync(CacheService.Set, new SetRequest { Group = "kv", Key = "g1", Value = Google.Protobuf.ByteString.CopyFromUtf8("one"), TtlMs = 60_000 });
        var got = await channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "kv", Key = "g1" });
        var items = new Dictionary<string, GetManyItem>();
        await foreach (var item in channel.ServerStreamingAsync(CacheService.GetMany,
            new GetManyRequest { Group = "scores", Keys = { "many-1", "many-2", "fail-many", new string('k', 300) } }))
        {
            items[item.Key] = item;
        }

        var deleted = await channel.UnaryAsync(CacheService.Delete, new DeleteRequest { Group = "kv", Key = "g1" });
        var gone = await channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "kv", Key = "g1" });

        Assert.Equal(("one", true), (got.Value.ToStringUtf8(), got.TtlMs is > 0 and <= 60_000));
        Assert.Equal("value-of-many-1", items["many-1"].Value.ToStringUtf8());
        Assert.Equal("value-of-many-2", items["many-2"].Value.ToStringUtf8());
        Assert.Contains("HTTP 500", items["fail-many"].Error, StringComparison.Ordinal);
        Assert.Contains("MaxKeyBytes", items[new string('k', 300)].Error, StringComparison.Ordinal);
        Assert.True(deleted.Deleted);
        Assert.False(gone.Found);
    }

    [Fact]
    public async Task PeerPort_WithoutAToken_IsRefusedBeforeTheBodyIsRead()
    {
        using var anonymous = GrpcChannel.ForAddress("http://" + Node.PeerAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 1 << 20 });
        var huge = new PeerSetRequest { Group = "kv", Key = "precious", Value = Google.Protobuf.ByteString.CopyFrom(new byte[3 << 20]) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.UnaryAsync(PeerService.Set, huge));

        // Unauthenticated, not RESOURCE_EXHAUSTED: the token was checked first, the 3 MiB body never read.
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task PeerPort_AKeyOnlyMethod_AcceptsOnlyAKeySizedMessage()
    {
        using var member = GrpcChannel.ForAddress("http://" + Node.PeerAddress,
            new GrpcChannelOptions { DefaultHeaders = [new("authorization", "Bearer " + File.ReadAllText(Cluster.TokenFile).Trim())] });
        var oversized = new PeerGetRequest { Group = "kv", Key = new string('k', 64 * 1024) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => member.UnaryAsync(PeerService.Get, oversized));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }

    [Fact]
    public async Task Grpc_ATimeoutTooLargeToRepresent_IsServedWithoutADeadline()
    {
        using var channel = GrpcChannel.ForAddress(Node.GrpcAddress);

        // The largest grpc-timeout the wire allows, 99999999H (11,400 years): no timer or date can hold it.
        var got = await channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "kv", Key = "precious" }, new CallOptions(Timeout: TimeSpan.FromDays(365 * 20_000)));

        Assert.Equal("keep me", got.Value.ToStringUtf8());
    }

    [Theory]
    [InlineData("ttl=0.1ms", HttpStatusCode.BadRequest)]
    [InlineData("ttl=99999999999999", HttpStatusCode.NoContent)]
    public async Task Http_Ttl_RoundingToZeroIsRefused_TooLargeIsClamped(string query, HttpStatusCode expected)
    {
        using var put = await Cluster.Http.PutAsync(Cluster.KeyUri(Node, "kv", "ttl-edge", "?" + query), new StringContent("x"));

        Assert.Equal(expected, put.StatusCode);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task Grpc_DotSegmentKeys_AreRefused_SoTheyCannotWalkTheLoaderUrl(string key)
    {
        using var channel = GrpcChannel.ForAddress(Node.GrpcAddress);

        var refused = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "scores", Key = key }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("relative path segment", refused.Detail, StringComparison.Ordinal);
    }
}
