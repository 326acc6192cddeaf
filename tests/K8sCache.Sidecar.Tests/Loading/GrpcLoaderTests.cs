using Google.Protobuf;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Loading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Sidecar.Tests.Loading;

/// <summary>The gRPC loader against an application's <c>k8scache.v1.Loader</c> service served on loopback.</summary>
public sealed class GrpcLoaderTests : IAsyncLifetime
{
    private LoopbackWebServer _server = null!;

    private string Address => _server.Address;

    public async Task InitializeAsync() =>
        _server = await LoopbackWebServer.StartAsync(HttpProtocols.Http2, app => app.MapGrpcService<ApplicationLoader>(), services => services.AddGrpc());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Found_CarriesValueAndTtl()
    {
        using var loader = new GrpcLoader(Address, TimeSpan.FromSeconds(5), 1 << 20);

        var result = await loader.LoadAsync("scores", "Tom", default);

        Assert.Equal(("scores:Tom", TimeSpan.FromMilliseconds(2500), true), (System.Text.Encoding.UTF8.GetString(result.Value), result.Ttl, result.Cacheable));
    }

    [Fact]
    public async Task NotFound_NegativeTtl_AndErrors()
    {
        using var loader = new GrpcLoader(Address, TimeSpan.FromSeconds(5), 1 << 20);

        Assert.False((await loader.LoadAsync("g", "missing", default)).Found);
        Assert.False((await loader.LoadAsync("g", "volatile", default)).Cacheable);
        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "broken", default));
        Assert.Contains("database down", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An application's loader: the key says what it answers.</summary>
    private sealed class ApplicationLoader : Loader.LoaderBase
    {
        public override Task<LoadResponse> Load(LoadRequest request, ServerCallContext context) => request.Key switch
        {
            "missing" => Task.FromResult(new LoadResponse { Found = false }),
            "broken" => throw new RpcException(new Status(StatusCode.Internal, "database down")),
            "volatile" => Task.FromResult(new LoadResponse { Found = true, Value = ByteString.CopyFromUtf8("v"), TtlMs = -1 }),
            _ => Task.FromResult(new LoadResponse { Found = true, Value = ByteString.CopyFromUtf8(request.Group + ":" + request.Key), TtlMs = 2500 }),
        };
    }
}
