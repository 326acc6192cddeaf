using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Tests.Fixtures;

namespace K8sCache.Sidecar.Tests.Loading;

public sealed class HttpLoaderTests : IAsyncLifetime
{
    private TestLoaderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestLoaderServer.StartAsync();
        _server.Delay = TimeSpan.Zero;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Ok_BodyIsTheValue_MaxAgeIsTheTtl()
    {
        using var loader = Create();

        var plain = await loader.LoadAsync("g", "Tom", default);
        var short_ = await loader.LoadAsync("g", "short-1", default);

        Assert.Equal(("value-of-Tom", null, true), (System.Text.Encoding.UTF8.GetString(plain.Value), plain.Ttl, plain.Cacheable));
        Assert.Equal(TimeSpan.FromSeconds(1), short_.Ttl);
    }

    [Fact]
    public async Task KeyAndGroup_AreUrlEscaped()
    {
        using var loader = new HttpLoader(_server.UrlTemplate.Replace("{key}", "{group}-{key}", StringComparison.Ordinal), TimeSpan.FromSeconds(5), 1 << 20);

        var result = await loader.LoadAsync("g/1", "a b/c?d", default);

        Assert.Equal("value-of-g/1-a b/c?d", System.Text.Encoding.UTF8.GetString(result.Value));
    }

    [Fact]
    public async Task NotFound_IsNotFound()
    {
        using var loader = Create();

        Assert.False((await loader.LoadAsync("g", "missing-x", default)).Found);
    }

    [Fact]
    public async Task ServerError_IsALoaderException_NamingTheStatus()
    {
        using var loader = Create();

        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "fail-x", default));

        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_IsALoaderException()
    {
        using var loader = new HttpLoader(_server.UrlTemplate, TimeSpan.FromMilliseconds(50), 1 << 20);

        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "slow-x", default));

        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValueAboveLimit_IsALoaderException_NamingTheLimit()
    {
        using var loader = new HttpLoader(_server.UrlTemplate, TimeSpan.FromSeconds(5), maxValueBytes: 5);

        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "Tom", default));

        Assert.Contains("MaxValueBytes=5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NobodyListening_IsALoaderException()
    {
        using var loader = new HttpLoader("http://127.0.0.1:9/{key}", TimeSpan.FromSeconds(5), 1 << 20);

        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "k", default));

        Assert.True(e.Unreachable);
    }

    [Fact]
    public async Task AnAnswerThatIsAnError_IsNotUnreachable()
    {
        using var loader = Create();

        var e = await Assert.ThrowsAsync<LoaderException>(() => loader.LoadAsync("g", "fail-x", default));

        Assert.False(e.Unreachable);
    }

    private HttpLoader Create() => new(_server.UrlTemplate, TimeSpan.FromSeconds(5), 1 << 20);
}
