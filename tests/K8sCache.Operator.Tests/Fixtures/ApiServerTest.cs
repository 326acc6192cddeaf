using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>A test with its own API test server (CRD installed) and a client connected to it.</summary>
public abstract class ApiServerTest : IAsyncLifetime
{
    protected ClusterEnvironment Env { get; private set; } = null!;

    internal ClusterApi Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env = await ClusterEnvironment.StartAsync();
        Client = Env.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Env.DisposeAsync();
    }
}
