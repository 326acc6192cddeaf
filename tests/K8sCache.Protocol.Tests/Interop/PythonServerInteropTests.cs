using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>Our client (Grpc.Net.Client, as the sidecar's peer and loader clients) calls a Python grpcio server: its
/// framing, trailers and error layout are grpc-core's.</summary>
public sealed class PythonServerInteropTests : IAsyncLifetime
{
    private string _descriptors = null!;
    private ChildProcess _server = null!;
    private GrpcChannel _channel = null!;
    private Cache.CacheClient _client = null!;

    public async Task InitializeAsync()
    {
        InteropTools.RequirePythonGrpc();
        _descriptors = InteropTools.WriteDescriptorSet();
        _server = ChildProcess.Start(InteropTools.DebianPython, RepositoryPaths.Interop("python"), "server.py", _descriptors);
        var port = int.Parse(await _server.ReadLineAsync(InteropTools.ScriptTimeout), System.Globalization.CultureInfo.InvariantCulture);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        _client = new Cache.CacheClient(_channel);
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
        var response = await _client.GetAsync(new GetRequest { Key = "k" }).ResponseAsync.WaitAsync(TestTimeouts.Default);

        Assert.Equal("py:k", response.Value.ToStringUtf8());
        Assert.Equal(7, response.TtlMs);
    }

    [Fact]
    public async Task Error_IsRpcExceptionWithCodeAndDecodedMessage()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAsync(new GetRequest { Key = "fail" }).ResponseAsync.WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("no such key 'grüße' → 100%", e.Status.Detail);
    }

    [Fact]
    public async Task Deadline_IsDeadlineExceeded()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.GetAsync(
            new GetRequest { Key = "slow" }, deadline: DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync.WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Metadata_ReachesThePythonHandler()
    {
        var response = await _client.GetAsync(new GetRequest { Key = "headers" },
            new Metadata { { "x-k8scache-test", "from-dotnet" } }).ResponseAsync.WaitAsync(TestTimeouts.Default);

        Assert.Equal("from-dotnet", response.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Streaming_YieldsMessagesThenTrailerStatus()
    {
        var keys = new List<string>();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = _client.GetMany(new GetManyRequest { Keys = { "a", "b", "fail" } });
            await foreach (var item in call.ResponseStream.ReadAllAsync(new CancellationTokenSource(TestTimeouts.Default).Token))
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
        var nope = new Method<GetRequest, GetResponse>(MethodType.Unary, Cache.Descriptor.FullName, "Nope",
            Marshallers.Create(m => m.ToByteArray(), GetRequest.Parser.ParseFrom), Marshallers.Create(m => m.ToByteArray(), GetResponse.Parser.ParseFrom));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.CreateCallInvoker().AsyncUnaryCall(nope, null, new CallOptions(), new GetRequest()).ResponseAsync.WaitAsync(TestTimeouts.Default));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }
}
