using System.Text.Json;
using K8sCache.Protocol.Tests.Fixtures;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>Python grpcio (Debian's python3-grpcio) calls our server.</summary>
public sealed class PythonClientInteropTests
{
    [Fact]
    public async Task PythonGrpcio_CallsOurServer_EveryCaseBehavesAsWithRealGrpc()
    {
        InteropTools.RequirePythonGrpc();
        await using var server = await GrpcTestServer.StartAsync();
        var descriptors = InteropTools.WriteDescriptorSet();
        try
        {
            using var client = ChildProcess.Start(InteropTools.DebianPython, RepositoryPaths.Interop("python"),
                "client.py", $"127.0.0.1:{server.Port}", descriptors);

            var output = await client.ReadToEndAsync(InteropTools.ScriptTimeout);

            using var result = JsonDocument.Parse(output);
            await ClientInteropAssertions.AssertAllAsync(result.RootElement, "from-python", server);
        }
        finally
        {
            File.Delete(descriptors);
        }
    }
}
