using System.Text.Json;
using System.Text.Json.Serialization;
using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary><see cref="IK8sCache"/> against real sidecar processes.</summary>
public sealed partial class ClientTests(PodPairFixture fixture) : IClassFixture<PodPairFixture>
{
    private PodPair Pods => fixture.Pods;

    private IK8sCache Cache(int pod) => Pods.Applications[pod].Services.GetRequiredService<IK8sCache>();

    [Fact]
    public async Task SetOnOnePod_IsReadOnTheOther_DeleteRemovesIt_AndNotFoundIsNull()
    {
        await Cache(0).SetAsync("kv", "round-trip", "hello"u8.ToArray());

        Assert.Equal("hello"u8.ToArray(), await Cache(1).GetAsync("kv", "round-trip"));
        Assert.True(await Cache(1).DeleteAsync("kv", "round-trip"));
        Assert.Null(await Cache(0).GetAsync("kv", "round-trip"));
        Assert.False(await Cache(0).DeleteAsync("kv", "round-trip"));
    }

    [Fact]
    public async Task GetMany_AnswersInOrder_WithNullWhereNotFound()
    {
        await Cache(0).SetStringAsync("kv", "many-1", "one");
        await Cache(1).SetStringAsync("kv", "many-3", "three", TimeSpan.FromMinutes(1));

        var values = await Cache(0).GetManyAsync("kv", ["many-1", "many-2", "many-3"]);

        Assert.Equal(["one", null, "three"], values.Select(v => v is null ? null : System.Text.Encoding.UTF8.GetString(v)));
    }

    [Fact]
    public async Task TypedValues_GoThroughTheSourceGeneratedContext()
    {
        var options = new K8sCacheOptions { Endpoint = Pods.RespEndpoint(0) };
        options.JsonSerializerOptions.TypeInfoResolver = ScoreContext.Default;
        using var client = new K8sCacheClient(options);

        await client.SetAsync("kv", "typed", new Score("Tom", 630));

        Assert.Equal(new Score("Tom", 630), await client.GetAsync<Score>("kv", "typed"));
        Assert.Equal("""{"name":"Tom","points":630}""", await client.GetStringAsync("kv", "typed"));
        Assert.Null(await client.GetAsync<Score>("kv", "typed-absent"));
    }

    [Fact]
    public async Task OverTheUnixSocket_TheSameCacheIsServed()
    {
        using var client = new K8sCacheClient(new K8sCacheOptions { UnixSocket = Pods.RespSocket(1) });
        await Cache(0).SetStringAsync("kv", "via-socket", "same");

        Assert.Equal("same", await client.GetStringAsync("kv", "via-socket"));
    }

    [Fact]
    public async Task TypedValues_WithoutAContext_SayWhatToRegister()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Cache(0).SetAsync("kv", "untyped", new Score("Sam", 1)));

        Assert.Contains("TypeInfoResolver", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalsOfTheSidecar_AreExceptionsThatSayWhy()
    {
        var unknown = await Assert.ThrowsAsync<K8sCacheException>(async () => await Cache(0).GetAsync("nope", "k"));
        var tooLarge = await Assert.ThrowsAsync<K8sCacheException>(async () => await Cache(0).SetAsync("kv", "big", new byte[2 * 1024 * 1024]));

        Assert.Contains("names no group: use GROUP:KEY with one of k8scache.tags, kv, scores", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("MaxValueBytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal("still-works", await SetThenGetAsync("after-errors", "still-works"));
    }

    [Fact]
    public async Task ACancelledGet_ThrowsOperationCanceled_AndTheNextCallWorks()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Cache(0).GetAsync("scores", "cancelled-early", cancelled.Token));

        // Cancelled while the sidecar waits on a load that never ends: the caller is released at once.
        using var midway = new CancellationTokenSource();
        var pending = Cache(0).GetAsync("scores", "hang-cancelled", midway.Token).AsTask();
        await midway.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.Equal("next", await SetThenGetAsync("after-cancel", "next"));
    }

    private async Task<string?> SetThenGetAsync(string key, string value)
    {
        await Cache(0).SetStringAsync("kv", key, value);
        return await Cache(0).GetStringAsync("kv", key);
    }

    public sealed record Score(string Name, int Points);

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(Score))]
    private sealed partial class ScoreContext : JsonSerializerContext;
}
