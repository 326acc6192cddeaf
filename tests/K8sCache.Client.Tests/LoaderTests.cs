using K8sCache.Client.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client.Tests;

/// <summary>MapK8sCacheLoader with the sidecars: the loader endpoint is groupcache's Getter for .NET.</summary>
public sealed class LoaderTests(PodPairFixture fixture) : IClassFixture<PodPairFixture>
{
    private PodPair Pods => fixture.Pods;

    private IK8sCache Cache(int pod) => Pods.Applications[pod].Services.GetRequiredService<IK8sCache>();

    private int Loads(string key) => Pods.Applications.Sum(a => a.LoadsOf(key));

    [Fact]
    public async Task HundredConcurrentColdGets_FromTwoApplications_CallTheLoaderOnce()
    {
        var gets = Enumerable.Range(0, 100).Select(i => Cache(i % 2).GetStringAsync("scores", "stampede").AsTask());
        var values = await Task.WhenAll(gets).WaitAsync(TestTimeouts.Default);

        Assert.All(values, v => Assert.Equal("score-of-stampede", v));
        Assert.Equal(1, Loads("stampede"));
    }

    [Fact]
    public async Task TheLoadersAnswers_FollowTheContract()
    {
        Assert.Null(await Cache(0).GetAsync("scores", "missing-one"));
        Assert.Equal("score-of-nostore-one", await Cache(0).GetStringAsync("scores", "nostore-one"));
        Assert.Equal("score-of-nostore-one", await Cache(0).GetStringAsync("scores", "nostore-one"));
        Assert.Equal("score-of-ttl-one", await Cache(1).GetStringAsync("scores", "ttl-one"));
        var failed = await Assert.ThrowsAsync<K8sCacheException>(async () => await Cache(0).GetAsync("scores", "fail-one"));

        Assert.Equal(2, Loads("nostore-one"));
        Assert.InRange(await Resp.PttlAsync(Pods.RespEndpoint(0), "scores:ttl-one"), 25_000, 30_000);
        Assert.Contains("loader", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheSidecarGivesUpOnALoad_TheLoadersTokenIsCancelled_AndTheCallerGetsTheReason()
    {
        var owner = Enumerable.Range(0, 2).First(p => true);
        var e = await Assert.ThrowsAsync<K8sCacheException>(async () => await Cache(owner).GetAsync("scores", "hang-timeout"));
        await Task.WhenAny(Pods.Applications.Select(a => a.HangCancelled.Task)).WaitAsync(TestTimeouts.Default);

        Assert.Contains("loader", e.Message, StringComparison.Ordinal);
        Assert.Contains(Pods.Applications, a => a.HangCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task KeysReachTheLoader_ExactlyAsStored()
    {
        const string key = "slash/percent%41 space+plus";
        Assert.Equal("score-of-" + key, await Cache(0).GetStringAsync("scores", key));

        Assert.Equal(1, Loads(key));
    }
}
