using System.Net;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K8sCache.Sidecar.Tests.Transport;

/// <summary>A channel to a peer that was not listening answers as soon as the peer listens: no reconnect backoff.</summary>
public sealed class GrpcChannelsTests
{
    [Fact]
    public async Task APeerThatStartsListening_IsAnsweredOnTheNextCall()
    {
        var port = LoopbackPorts.Free();
        using var channel = GrpcChannels.Create($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(5), 1 << 20);
        var client = new Loader.LoaderClient(channel);

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.LoadAsync(new LoadRequest { Key = "k" }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync);
        await using var server = await StartAsync(port);
        // At once: Grpc.Net.Client's own connection manager would fail this call for its first backoff (about 1 s).
        var answer = await client.LoadAsync(new LoadRequest { Key = "k" }, deadline: DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.True(answer.Found);
    }

    private static async Task<WebApplication> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<AnyKey>();
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        return app;
    }


    private sealed class AnyKey : Loader.LoaderBase
    {
        public override Task<LoadResponse> Load(LoadRequest request, ServerCallContext context) =>
            Task.FromResult(new LoadResponse { Found = true, Value = Google.Protobuf.ByteString.CopyFromUtf8("v") });
    }
}
