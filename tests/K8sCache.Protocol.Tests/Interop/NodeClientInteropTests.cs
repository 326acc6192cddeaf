using System.Text.Json;
using K8sCache.Protocol.Tests.Fixtures;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>Node's @grpc/grpc-js, with the contract loaded from proto/ by @grpc/proto-loader, calls our server.</summary>
public sealed class NodeClientInteropTests
{
    [Fact]
    public async Task NodeGrpcJs_CallsOurServer_EveryCaseBehavesAsWithRealGrpc()
    {
        InteropTools.RequireNodeModules();
        await using var server = await GrpcTestServer.StartAsync();
        using var client = ChildProcess.Start(InteropTools.Node, RepositoryPaths.Interop("node"),
            "client.js", $"127.0.0.1:{server.Port}", RepositoryPaths.ProtoRoot);

        var output = await client.ReadToEndAsync(InteropTools.ScriptTimeout);

        using var result = JsonDocument.Parse(output);
        await ClientInteropAssertions.AssertAllAsync(result.RootElement, "from-node", server);
    }
}
