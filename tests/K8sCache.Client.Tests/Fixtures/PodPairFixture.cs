namespace K8sCache.Client.Tests.Fixtures;

/// <summary>One <see cref="PodPair"/> shared by the tests of a class; each test uses keys of its own.</summary>
public sealed class PodPairFixture : IAsyncLifetime
{
    public PodPair Pods { get; private set; } = null!;

    public async Task InitializeAsync() => Pods = await PodPair.StartAsync();

    public async Task DisposeAsync() => await Pods.DisposeAsync();
}
