using System.Net;
using System.Net.Sockets;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.Tests.Fixtures;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Grpc;

public sealed class GrpcChannelTests : IAsyncLifetime
{
    private GrpcTestServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await GrpcTestServer.StartAsync();
        _channel = GrpcChannel.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_Success_ReturnsResponse()
    {
        var response = await _channel.UnaryAsync(CacheService.Get, new GetRequest { Group = "g", Key = "k1" }).WaitAsync(TestTimeouts.Default);

        Assert.True(response.Found);
        Assert.Equal("value:k1", response.Value.ToStringUtf8());
        Assert.Equal(42, response.TtlMs);
        Assert.Equal(CacheSource.Hit, response.Source);
    }

    [Fact]
    public async Task Unary_TrailersOnlyError_ThrowsRpcExceptionWithDecodedMessage()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "error" }).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(TestCacheService.ErrorDetail, e.Detail);
    }

    [Fact]
    public async Task Unary_Deadline_FailsWithDeadlineExceeded_AndReachesTheServer()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(
            CacheService.Get, new GetRequest { Key = "slow" }, new CallOptions(Timeout: TimeSpan.FromMilliseconds(100))).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        await _server.Service.DeadlineObserved.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Unary_CallerCancels_ThrowsOperationCanceled_AndServerSeesIt()
    {
        using var cts = new CancellationTokenSource();
        var call = _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "slow" }, cancellationToken: cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Unary_UnknownMethod_IsUnimplemented()
    {
        var nope = new GrpcMethod<GetRequest, GetResponse>(MethodType.Unary, CacheService.Name, "Nope", GetRequest.Parser, GetResponse.Parser);

        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(nope, new GetRequest()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task Unary_Headers_ReachTheHandler()
    {
        var options = new CallOptions(Headers: [new("x-k8scache-test", "abc")]);

        var response = await _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "metadata" }, options).WaitAsync(TestTimeouts.Default);

        Assert.Equal("abc", response.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Unary_ResponseAboveClientLimit_IsResourceExhausted()
    {
        using var small = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            small.UnaryAsync(CacheService.Get, new GetRequest { Key = "big:5000" }).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task Unary_LargeMessages_RoundTrip()
    {
        var response = await _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "big:3000000" }).WaitAsync(TestTimeouts.Default);

        Assert.Equal(3_000_000, response.Value.Length);
    }

    [Fact]
    public async Task Unary_NobodyListening_IsUnavailable()
    {
        using var closed = GrpcChannel.ForAddress($"http://127.0.0.1:{UnusedPort()}");

        var e = await Assert.ThrowsAsync<RpcException>(() => closed.UnaryAsync(CacheService.Get, new GetRequest()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_YieldsEveryMessage_ThenStatus()
    {
        var keys = new List<string>();
        await foreach (var item in _channel.ServerStreamingAsync(CacheService.GetMany, new GetManyRequest { Keys = { "a", "b", "c" } })
            .WithCancellation(new CancellationTokenSource(TestTimeouts.Default).Token))
        {
            keys.Add(item.Key);
        }

        Assert.Equal(["a", "b", "c"], keys);
    }

    [Fact]
    public async Task ServerStreaming_ErrorAfterMessages_ThrowsAfterYieldingThem()
    {
        var keys = new List<string>();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var item in _channel.ServerStreamingAsync(CacheService.GetMany, new GetManyRequest { Keys = { "a", "error", "c" } })
                .WithCancellation(new CancellationTokenSource(TestTimeouts.Default).Token))
            {
                keys.Add(item.Key);
            }
        });

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(["a"], keys);
    }

    [Fact]
    public async Task ManyConcurrentCalls_AllSucceed()
    {
        var calls = Enumerable.Range(0, 500)
            .Select(i => _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "k" + i }));

        var responses = await Task.WhenAll(calls).WaitAsync(TestTimeouts.Default);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => "value:k" + i), responses.Select(r => r.Value.ToStringUtf8()));
    }

    [Fact]
    public void ForAddress_Https_IsRefused() =>
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress("https://127.0.0.1:1"));

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
