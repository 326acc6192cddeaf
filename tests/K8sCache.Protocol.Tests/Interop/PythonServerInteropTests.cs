using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>Our client calls a Python grpcio server: its framing, trailers and error layout are grpc-core's, not ours.</summary>
public sealed class PythonServerInteropTests : IAsyncLifetime
{
    private string _descriptors = null!;
    private ChildProcess _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        InteropTools.RequirePythonGrpc();
        _descriptors = InteropTools.WriteDescriptorSet();
        _server = ChildProcess.Start(InteropTools.DebianPython, RepositoryPaths.Interop("python"), "server.py", _descriptors);
        var port = int.Parse(await _server.ReadLineAsync(InteropTools.ScriptTimeout), System.Globalization.CultureInfo.InvariantCulture);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    }

    public Task DisposeAsync()
    {
        _channel.Dispose();
        _server.CloseInput();
        _server.Dispose();
        File.Delete(_descriptors);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Success_ParsesGrpcCoreFramingAndTrailers()
    {
        var response = await _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "k" }).WaitAsync(TestTimeouts.Default);

        Assert.Equal("py:k", response.Value.ToStringUtf8());
        Assert.Equal(7, response.TtlMs);
    }

    [Fact]
    public async Task Error_IsRpcExceptionWithCodeAndDecodedMessage()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "fail" }).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("no such key 'grüße' → 100%", e.Detail);
    }

    [Fact]
    public async Task Deadline_IsDeadlineExceeded()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(
            CacheService.Get, new GetRequest { Key = "slow" }, new CallOptions(TimeSpan.FromMilliseconds(200))).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Metadata_ReachesThePythonHandler()
    {
        var response = await _channel.UnaryAsync(CacheService.Get, new GetRequest { Key = "headers" },
            new CallOptions(Headers: [new("x-k8scache-test", "from-dotnet")])).WaitAsync(TestTimeouts.Default);

        Assert.Equal("from-dotnet", response.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Streaming_YieldsMessagesThenTrailerStatus()
    {
        var keys = new List<string>();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var item in _channel.ServerStreamingAsync(CacheService.GetMany, new GetManyRequest { Keys = { "a", "b", "fail" } })
                .WithCancellation(new CancellationTokenSource(TestTimeouts.Default).Token))
            {
                keys.Add(item.Key);
            }
        });

        Assert.Equal(["a", "b"], keys);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task UnknownMethod_IsUnimplemented()
    {
        var nope = new GrpcMethod<GetRequest, GetResponse>(MethodType.Unary, CacheService.Name, "Nope", GetRequest.Parser, GetResponse.Parser);

        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(nope, new GetRequest()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }
}
