using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
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
        Assert.Contains("unknown group 'nope'; this node serves: k8scache.tags, kv, scores", body, StringComparison.Ordinal);
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
        var cache = new Cache.CacheClient(channel);

        var longKey = await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(new GetRequest { Group = "kv", Key = new string('k', 300) }).ResponseAsync);
        var unknownGroup = await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(new GetRequest { Group = "nope", Key = "k" }).ResponseAsync);
        var bigValue = await Assert.ThrowsAsync<RpcException>(() => cache.SetAsync(
            new SetRequest { Group = "kv", Key = "precious", Value = Google.Protobuf.ByteString.CopyFrom(new byte[70_000]) }).ResponseAsync);
        var negativeTtl = await Assert.ThrowsAsync<RpcException>(() => cache.SetAsync(new SetRequest { Group = "kv", Key = "k", TtlMs = -1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, longKey.StatusCode);
        Assert.Contains("MaxKeyBytes", longKey.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknownGroup.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, bigValue.StatusCode);
        Assert.Contains("MaxValueBytes", bigValue.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, negativeTtl.StatusCode);
    }

    [Fact]
    public async Task Grpc_MalformedFrame_IsAnErrorNamingTheParseFailure_AndTheNodeKeepsServing()
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

        // Grpc.AspNetCore answers a message it cannot parse with UNKNOWN (the gRPC spec suggests INTERNAL), with the
        // parser's reason for a localhost caller.
        Assert.Equal("2", response.Headers.GetValues("grpc-status").Single());
        Assert.Contains("InvalidProtocolBufferException", Uri.UnescapeDataString(response.Headers.GetValues("grpc-message").Single()), StringComparison.Ordinal);
        using var channel = GrpcChannel.ForAddress(Node.GrpcAddress);
        Assert.True((await new Cache.CacheClient(channel).GetAsync(new GetRequest { Group = "kv", Key = "precious" })).Found);
    }

    [Fact]
    public async Task PeerPort_WithoutOrWithAWrongToken_IsUnauthenticated()
    {
        using var channel = GrpcChannel.ForAddress("http://" + Node.PeerAddress);
        var peer = new Peer.PeerClient(channel);
        var request = new PeerDeleteRequest { Group = "kv", Key = "precious" };

        var none = await Assert.ThrowsAsync<RpcException>(() => peer.DeleteAsync(request).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => peer.DeleteAsync(request, Token("guessed-token-123456")).ResponseAsync);
        var answers = new List<string>();
        foreach (var node in Cluster.Nodes)
        {
            using var member = GrpcChannel.ForAddress("http://" + node.PeerAddress);
            answers.Add((await new Peer.PeerClient(member).GetAsync(new PeerGetRequest { Group = "kv", Key = "precious" }, MemberToken())).Value.ToStringUtf8());
        }

        Assert.Equal((StatusCode.Unauthenticated, "missing peer token (authorization: Bearer TOKEN)"), (none.StatusCode, none.Status.Detail));
        Assert.Equal((StatusCode.Unauthenticated, "wrong peer token"), (wrong.StatusCode, wrong.Status.Detail));
        // With the token, peers answer: the owner from its main cache (a peer never forwards, so others may not know it).
        Assert.Contains("keep me", answers);
    }

    [Fact]
    public async Task Grpc_CacheApi_GetSetDeleteAndGetMany()
    {
        using var channel = GrpcChannel.ForAddress(Cluster.Nodes[1].GrpcAddress);
        var cache = new Cache.CacheClient(channel);

        await cache.SetAsync(new SetRequest { Group = "kv", Key = "g1", Value = Google.Protobuf.ByteString.CopyFromUtf8("one"), TtlMs = 60_000 });
        var got = await cache.GetAsync(new GetRequest { Group = "kv", Key = "g1" });
        var items = new Dictionary<string, GetManyItem>();
        using (var many = cache.GetMany(new GetManyRequest { Group = "scores", Keys = { "many-1", "many-2", "fail-many", new string('k', 300) } }))
        {
            await foreach (var item in many.ResponseStream.ReadAllAsync())
            {
                items[item.Key] = item;
            }
        }

        var deleted = await cache.DeleteAsync(new DeleteRequest { Group = "kv", Key = "g1" });
        var gone = await cache.GetAsync(new GetRequest { Group = "kv", Key = "g1" });

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
        using var anonymous = GrpcChannel.ForAddress("http://" + Node.PeerAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        var huge = new PeerSetRequest { Group = "kv", Key = "precious", Value = Google.Protobuf.ByteString.CopyFrom(new byte[3 << 20]) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Peer.PeerClient(anonymous).SetAsync(huge).ResponseAsync);

        // Unauthenticated, not RESOURCE_EXHAUSTED: the token was checked first, the 3 MiB body never read.
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task PeerPort_BatchGet_RefusesTooManyKeysAndUnknownGroups_AndAnswersABadKeyInItsOwnItem()
    {
        using var member = GrpcChannel.ForAddress("http://" + Node.PeerAddress);
        var peer = new Peer.PeerClient(member);

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(peer, new PeerGetManyRequest { Group = "kv", Keys = { Enumerable.Range(0, 1001).Select(i => $"k{i}") } }));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(peer, new PeerGetManyRequest { Group = "nope", Keys = { "k" } }));
        var huge = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(peer, new PeerGetManyRequest { Group = "kv", Keys = { Enumerable.Range(0, 1000).Select(i => new string('k', 2000)) } }));
        var items = await ReadAllAsync(peer, new PeerGetManyRequest { Group = "kv", Keys = { "precious", new string('k', 300), "" } });

        Assert.Equal((StatusCode.InvalidArgument, "the batch has 1001 keys; the limit is MaxBatchKeys=1000"), (tooMany.StatusCode, tooMany.Status.Detail));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, huge.StatusCode);
        Assert.Equal(3, items.Count);
        Assert.Equal((PeerKeyFailure.InvalidKey, "the key is 300 bytes; the limit is MaxKeyBytes=256"), (items[1].Failure, items[1].Error));
        Assert.Equal((PeerKeyFailure.InvalidKey, "the key is empty"), (items[2].Failure, items[2].Error));
        Assert.Equal(PeerKeyFailure.Unspecified, items[0].Failure);
    }

    [Fact]
    public async Task PeerPort_AKeyOnlyMethod_AcceptsOnlyAKeySizedMessage()
    {
        using var member = GrpcChannel.ForAddress("http://" + Node.PeerAddress);
        var oversized = new PeerGetRequest { Group = "kv", Key = new string('k', 64 * 1024) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Peer.PeerClient(member).GetAsync(oversized, MemberToken()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }

    [Fact]
    public async Task Grpc_ATimeoutTooLargeToRepresent_IsServedWithoutADeadline()
    {
        // The largest grpc-timeout the wire allows, 99999999H (11,400 years): no timer or date can hold it. Sent raw,
        // as a hostile or careless caller would: a gRPC library never writes one.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, Node.GrpcAddress + "/k8scache.v1.Cache/Get")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Framed(new GetRequest { Group = "kv", Key = "precious" })),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "99999999H");
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("keep me", GetResponse.Parser.ParseFrom(body.AsSpan(5).ToArray()).Value.ToStringUtf8());
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

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Cache.CacheClient(channel).GetAsync(new GetRequest { Group = "scores", Key = key }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("relative path segment", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryMethodOfThePeerAndCacheServices_IsServed_AndAnswersAnEmptyMessageWithAStatus()
    {
        // Methods are bound from the protobuf descriptor's names (Hosting/GrpcMethods): none may be left unbound, and
        // an empty message — no group, no key, no header — is refused with a reason or answered, never a crash.
        var answers = new List<string>();
        foreach (var (service, address, headers) in new[] { (Peer.Descriptor, "http://" + Node.PeerAddress, MemberToken()), (Cache.Descriptor, Node.GrpcAddress, []) })
        {
            using var channel = GrpcChannel.ForAddress(address);
            foreach (var method in service.Methods)
            {
                answers.Add($"{service.Name}.{method.Name}: {await CallWithAnEmptyMessageAsync(channel.CreateCallInvoker(), method, headers)}");
            }
        }

        Assert.Equal(Peer.Descriptor.Methods.Count + Cache.Descriptor.Methods.Count, answers.Count);
        Assert.Equal("", string.Join("\n", answers.Where(a => a.EndsWith(": Unimplemented", StringComparison.Ordinal) || a.EndsWith(": Unknown", StringComparison.Ordinal)
            || a.EndsWith(": Internal", StringComparison.Ordinal))));
    }

    /// <summary>A batch Get on the peer port with the members' token; the items by their index.</summary>
    private async Task<Dictionary<uint, PeerGetManyItem>> ReadAllAsync(Peer.PeerClient peer, PeerGetManyRequest request)
    {
        using var call = peer.GetMany(request, MemberToken());
        var items = new Dictionary<uint, PeerGetManyItem>();
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            items.Add(item.Index, item);
        }

        return items;
    }

    /// <summary>Calls a method with one empty message, in the method's own streaming shape, bytes in and out.</summary>
    private static async Task<StatusCode> CallWithAnEmptyMessageAsync(CallInvoker invoker, Google.Protobuf.Reflection.MethodDescriptor method, Metadata headers)
    {
        var type = K8sCache.Sidecar.Hosting.GrpcMethods.ShapeOf(method);
        var bytes = Marshallers.Create(b => b, b => b);
        var raw = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, bytes, bytes);
        var options = new CallOptions(headers, DateTime.UtcNow.AddSeconds(20));
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(raw, null, options, []);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(raw, null, options, []))
                    {
                        await call.ResponseStream.ReadAllAsync().CountAsync();
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(raw, null, options))
                    {
                        await call.RequestStream.WriteAsync([]);
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseStream.ReadAllAsync().CountAsync();
                    }

                    break;
            }

            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private static Metadata Token(string token) => new() { { "authorization", "Bearer " + token } };

    private Metadata MemberToken() => Token(File.ReadAllText(Cluster.TokenFile).Trim());

    /// <summary>A gRPC message as it travels: not compressed, a 4-byte big-endian length, the protobuf bytes.</summary>
    private static byte[] Framed(Google.Protobuf.IMessage message)
    {
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var framed = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }
}
