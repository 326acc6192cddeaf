using System.Text.Json;
using K8sCache.Operator.Rendering;
using Xunit.Abstractions;

namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>
/// The operator's real objects run as pods: kubectl applies a CacheGroup, the operator renders it, the StatefulSet
/// controller stand-in makes pods, the node agent stand-in runs the real sidecar in each pod's network namespace with
/// the volumes the kubelet would write, and the sidecars find each other through cluster DNS.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(WholeSystemCollection.Name)]
public sealed class WholeSystemTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan PodsReady = TimeSpan.FromSeconds(90);
    private PodClusterEnvironment _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PodClusterEnvironment.StartAsync(log: output.WriteLine);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AppliedCacheGroup_BecomesReadyPods_WhoseRingsHoldEveryPod()
    {
        var started = DateTime.UtcNow;
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);

        await WaitForReadyPodsAsync(3, "kubectl apply examples/cachegroup.yaml");
        var ready = DateTime.UtcNow - started;
        var pods = _cluster.Agent.Running.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        var expected = pods.Select(p => $"{p.Ip}:7070").Order(StringComparer.Ordinal).ToArray();
        await _cluster.WaitUntilAsync("every pod's ring holds the 3 pods", () => pods.All(p => Members(p.Name).SequenceEqual(expected)), TestTimeouts.Default, RingsSeen);
        var (_, table, _) = await _cluster.Api.KubectlAsync("get", "cg");
        output.WriteLine($"apply to 3 ready pods: {ready.TotalSeconds:F1} s\n{table}");

        Assert.True(pods.Length == 3 && pods.All(p => p.Ready), ClusterDiagnostics.Describe(_cluster));
        Assert.All(pods, p => Assert.Equal(expected, Members(p.Name)));
        Assert.Matches(@"scores\s+3\s+3\s+True", table);
    }

    [Fact]
    public async Task ColdKeyAskedFromEveryPodAtOnce_ThroughTheApplication_IsLoadedOnce()
    {
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup-with-app.yaml"));
        Assert.True(exit == 0, error);
        await WaitForReadyPodsAsync(3, "kubectl apply examples/cachegroup-with-app.yaml");
        var pods = _cluster.Agent.Running.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        Assert.True(pods.Length == 3 && pods.All(p => p.Ready), ClusterDiagnostics.Describe(_cluster));
        await _cluster.WaitUntilAsync("every pod's ring holds 3 members", () => pods.All(p => Members(p.Name).Length == 3), TestTimeouts.Default, RingsSeen);

        // Each application asks its own localhost sidecar, which routes the miss to the key's owner.
        var answers = await Task.WhenAll(pods.Select(p => Task.Run(() => _cluster.HttpGetInPod("default", p.Name, "http://127.0.0.1:8080/leaderboard/Tom"))));
        // The same key over the Redis protocol, from redis-cli inside each pod to its own localhost:6379.
        var redisAnswers = pods.Select(p => Shell.Run("ip", "netns", "exec", p.NetworkNamespace, "redis-cli", "-p", "6379", "GET", "scores:Tom").Output.Trim()).ToArray();
        var loads = pods.Sum(p => Stat(p.Name, "localLoads"));

        Assert.All(answers, a => Assert.Equal("200", a.Status));
        Assert.All(redisAnswers, a => Assert.Equal("630", a));
        Assert.All(answers, a => Assert.StartsWith("Tom: ", a.Body, StringComparison.Ordinal));
        Assert.Equal(1, loads);
        // Beside the application the cache is a native sidecar: an init container that kept running.
        Assert.All(pods, p => Assert.Equal(["k8scache", "app"], p.Containers.Select(c => c.Name)));
        Assert.All(pods, p => Assert.True(p.Containers[0].IsSidecar));
    }

    [Fact]
    public async Task ScaledUpAndDown_RingsFollow_AndNoGetFails()
    {
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        await WaitForRingAsync(3);
        var stop = Path.Combine(_cluster.Api.Directory, "stop-load");
        using var load = _cluster.StartLoadInPod("default", "scores-0", "http://127.0.0.1:7071/v1/groups/scores/keys/during-scale", stop);

        var three = Members("scores-0");
        await WaitForGetsAsync(load, "on 3 pods");
        var up = DateTime.UtcNow;
        await _cluster.Api.KubectlAsync("scale", "cg/scores", "--replicas=5");
        await WaitForRingAsync(5);
        var upTook = DateTime.UtcNow - up;
        var five = Members("scores-0");
        await WaitForGetsAsync(load, "on 5 pods");
        var down = DateTime.UtcNow;
        await _cluster.Api.KubectlAsync("scale", "cg/scores", "--replicas=2");
        await WaitForRingAsync(2);
        var downTook = DateTime.UtcNow - down;
        var two = Members("scores-0");
        await WaitForGetsAsync(load, "on 2 pods");
        await File.WriteAllTextAsync(stop, string.Empty);
        await load.WaitForExitAsync(TestTimeouts.Default);
        var codes = load.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"3 -> 5 pods, rings converged in {upTook.TotalSeconds:F1} s, keys moved {Moved(three, five):P1} (ideal {2 / 5.0:P1}); " +
            $"5 -> 2 in {downTook.TotalSeconds:F1} s, keys moved {Moved(five, two):P1} (ideal {3 / 5.0:P1}); " +
            $"Gets during both: {codes.Length}, failed: {codes.Count(c => c is not ("200" or "404"))}");

        Assert.All(codes, c => Assert.True(c is "200" or "404", $"a Get answered {c}"));
        Assert.Equal(["scores-0", "scores-1"], _cluster.Agent.Running.Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APodKilledAndAPodFrozen_UnderLoad_AreRoutedAround_AndComeBack()
    {
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        await WaitForRingAsync(3);
        var stop = Path.Combine(_cluster.Api.Directory, "stop-load");
        using var load = _cluster.StartLoadInPod("default", "scores-0", "http://127.0.0.1:7071/v1/groups/scores/keys/k$n", stop);

        // SIGKILL: the container dies, the kubelet restarts it after its back-off; peers mark it down meanwhile.
        var killed = _cluster.Agent.Find("default", "scores-1")!.Containers[0];
        var kill = DateTime.UtcNow;
        Shell.Check("kill", "-KILL", killed.ProcessId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _cluster.WaitUntilAsync("scores-0 marks the SIGKILLed scores-1 down", () => PeersDown("scores-0") >= 1, TimeSpan.FromSeconds(30), PeersSeen);
        var killDown = DateTime.UtcNow - kill;
        // Gets go on while scores-1 is down (the kubelet restarts it after a 10 s back-off).
        await WaitForGetsAsync(load, "while scores-1 is down");
        await _cluster.WaitUntilAsync("scores-1 restarted after its back-off, Ready, and up in scores-0's view",
            () => killed.RestartCount == 1 && killed.Ready && PeersDown("scores-0") == 0, TimeSpan.FromSeconds(60),
            () => $"restarts={killed.RestartCount} ready={killed.Ready}; {PeersSeen()}");
        var killBack = DateTime.UtcNow - kill;

        // SIGSTOP: the process hangs with its sockets open; peers mark it down, and up again once it runs.
        var frozen = _cluster.Agent.Find("default", "scores-2")!.Containers[0];
        var pid = frozen.ProcessId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var freeze = DateTime.UtcNow;
        TimeSpan freezeDown;
        Shell.Check("kill", "-STOP", pid);
        try
        {
            await _cluster.WaitUntilAsync("scores-0 marks the SIGSTOPped scores-2 down", () => PeersDown("scores-0") >= 1, TimeSpan.FromSeconds(30), PeersSeen);
            freezeDown = DateTime.UtcNow - freeze;
            // The freeze lasts until Gets have been served around it.
            await WaitForGetsAsync(load, "while scores-2 is frozen");
        }
        finally
        {
            Shell.Run("kill", "-CONT", pid);
        }

        await _cluster.WaitUntilAsync("scores-2 is up again in scores-0's view after SIGCONT", () => PeersDown("scores-0") == 0, TimeSpan.FromSeconds(30), PeersSeen);
        var freezeBack = DateTime.UtcNow - freeze;
        await File.WriteAllTextAsync(stop, string.Empty);
        await load.WaitForExitAsync(TestTimeouts.Default);
        var codes = load.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"SIGKILL: marked down after {killDown.TotalSeconds:F1} s, restarted and up after {killBack.TotalSeconds:F1} s; " +
            $"SIGSTOP: marked down after {freezeDown.TotalSeconds:F1} s, up {freezeBack.TotalSeconds:F1} s after the freeze began; " +
            $"Gets: {codes.Length}, failed: {codes.Count(c => c is not ("200" or "404"))}");

        Assert.Equal(0, PeersDown("scores-0"));
        Assert.All(codes, c => Assert.True(c is "200" or "404", $"a Get answered {c}"));
    }

    [Fact]
    public async Task AGroupAdded_IsServedWithoutARestart_AndADeletedTokenSecret_IsRecoveredFrom()
    {
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        await WaitForRingAsync(3);

        // A group added: only the ConfigMap changes; the kubelet swaps the volume's ..data, each sidecar re-reads it.
        bool Served() => _cluster.Agent.Running.All(p => _cluster.HttpGetInPod("default", p.Name, "http://127.0.0.1:7071/v1/groups/sessions/keys/x")
            is { Status: "404" } answer && !answer.Body.Contains("unknown group", StringComparison.Ordinal));
        var before = Served();
        var patch = """{"spec":{"groups":[{"name":"scores","maxBytes":"64Mi","ttl":"5m"},{"name":"sessions","maxBytes":"16Mi"}]}}""";
        (exit, _, error) = await _cluster.Api.KubectlAsync("patch", "cg/scores", "--type=merge", "-p", patch);
        Assert.True(exit == 0, error);
        var added = DateTime.UtcNow;
        await _cluster.WaitUntilAsync("every pod serves the added group sessions", Served, TestTimeouts.Default);
        var served = DateTime.UtcNow - added;
        var restarts = _cluster.Agent.Running.Sum(p => p.Containers.Sum(c => c.RestartCount));

        // The peer token's Secret deleted: a new token, the pods roll onto it, the ring is whole again.
        var oldHash = (string?)_cluster.Api.Get(_cluster.Api.Server.Resource("apps/v1", "statefulsets"), "default", "scores")!["spec"]!["template"]!["metadata"]!["annotations"]![StatefulSetRenderer.PeerTokenHashAnnotation];
        (exit, _, error) = await _cluster.Api.KubectlAsync("delete", "secret", "scores-peer-token");
        Assert.True(exit == 0, error);
        var deleted = DateTime.UtcNow;
        await _cluster.WaitUntilAsync("3 pods rolled onto the new peer token", () => _cluster.Agent.Running.Count == 3 && _cluster.Agent.Running.All(p =>
            (string?)p.Pod["metadata"]!["annotations"]?[StatefulSetRenderer.PeerTokenHashAnnotation] != oldHash), TimeSpan.FromSeconds(120));
        await WaitForRingAsync(3);
        var recovered = DateTime.UtcNow - deleted;
        var put = _cluster.HttpGetInPod("default", "scores-0", "http://127.0.0.1:7071/v1/groups/scores/keys/after-rotation");
        output.WriteLine($"group added: served by every pod after {served.TotalSeconds:F1} s, {restarts} restarts; token Secret deleted: pods rolled and the ring whole after {recovered.TotalSeconds:F1} s");

        Assert.False(before, "the group was served before it was added");
        Assert.True(Served());
        Assert.Equal(0, restarts);
        Assert.Contains(put.Status, new[] { "200", "404" });
        Assert.Equal(0, PeersDown("scores-0"));
    }

    [Fact]
    public async Task ARollingRestart_UnderLoad_ReplacesPodsInReverseOrder_NoGetFails_AndHandsEntriesOverInsteadOfReloading()
    {
        var (exit, _, error) = await _cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup-with-app.yaml"));
        Assert.True(exit == 0, error);
        await WaitForRingAsync(3);
        var before = _cluster.Agent.Running.ToDictionary(p => p.Name, p => p.Uid, StringComparer.Ordinal);
        var order = new List<string>();
        var stop = Path.Combine(_cluster.Api.Directory, "stop-load");
        // The demo application's six names in turn, through the sidecar of leaderboard-0, so every key has a value to
        // load and keep (the loader's max-age is 5 minutes).
        using var load = _cluster.StartLoadInPod("default", "leaderboard-0",
            "http://127.0.0.1:7071/v1/groups/scores/keys/$(echo Tom Jack Sam Peter Alice Bob | cut -d' ' -f$((n % 6 + 1)))", stop);
        using var counting = new CancellationTokenSource();
        var countsByPod = new System.Collections.Concurrent.ConcurrentDictionary<string, LoadCounts>(StringComparer.Ordinal);
        var counter = CountLoadsAsync(countsByPod, counting.Token);
        LoadCounts Total() => countsByPod.Values.Aggregate(default(LoadCounts), (a, b) => a + b);

        // Steady state first: once each name is loaded, five seconds of the same load reach the origin how often?
        await _cluster.WaitUntilAsync("the six names loaded once each", () => Total().Origin >= 6, TestTimeouts.Default,
            () => $"origin loads so far: {Total().Origin}");
        var warm = Total().Origin;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var steady = Total().Origin - warm;

        // A change to the pod template (the sidecar's resources) rolls the StatefulSet: 2, then 1, then 0.
        var started = DateTime.UtcNow;
        var atRoll = Total();
        var getsAt = new List<int> { Gets(load) };
        (exit, _, error) = await _cluster.Api.KubectlAsync("patch", "cg/leaderboard", "--type=merge", "-p",
            """{"spec":{"sidecar":{"resources":{"requests":{"cpu":"150m","memory":"192Mi"}}}}}""");
        Assert.True(exit == 0, error);
        bool Replaced(string pod) => _cluster.Agent.Find("default", pod) is { Ready: true } p && p.Uid != before[pod];
        await _cluster.WaitUntilAsync("leaderboard-2, then leaderboard-1 replaced and Ready", () =>
        {
            foreach (var pod in new[] { "leaderboard-2", "leaderboard-1" }.Where(p => Replaced(p) && !order.Contains(p)))
            {
                order.Add(pod);
                getsAt.Add(Gets(load));
            }

            return order.Count == 2;
        }, TimeSpan.FromSeconds(120), () => $"replaced so far: [{string.Join(", ", order)}]");

        // The load runs in leaderboard-0, which is replaced last: stop it before its own pod goes.
        await File.WriteAllTextAsync(stop, string.Empty);
        await load.WaitForExitAsync(TestTimeouts.Default);
        var duringRoll = Total() - atRoll;
        await _cluster.WaitUntilAsync("leaderboard-0 replaced and Ready", () => Replaced("leaderboard-0"), TimeSpan.FromSeconds(120));
        await WaitForRingAsync(3);
        var took = DateTime.UtcNow - started;
        await counting.CancelAsync();
        await counter;
        var codes = load.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"rolling restart of 3 pods: {took.TotalSeconds:F1} s; Gets while 2 and 1 rolled: {codes.Length} " +
            $"({getsAt[1] - getsAt[0]} while 2 rolled, {getsAt[2] - getsAt[1]} while 1 rolled), failed: {codes.Count(c => c != "200")}; " +
            $"origin loads of the 6 keys: {steady} in 5 s of steady state, {duringRoll.Origin} while 2 pods rolled, " +
            $"{duringRoll.Fallbacks} Gets whose owner did not answer");

        Assert.Equal(["leaderboard-2", "leaderboard-1"], order);
        Assert.True(Replaced("leaderboard-0"));
        Assert.True(getsAt[1] > getsAt[0] && getsAt[2] > getsAt[1], $"Gets ran at [{string.Join(", ", getsAt)}]: none while a pod rolled");
        Assert.All(codes, c => Assert.True(c == "200", $"a Get answered {c}"));
        Assert.Equal(0, steady);
        // Entries follow their keys (design §4, "Hand-over"): a leaving pod hands them to the next owners before it goes,
        // and the others hand them back when it returns. A key reaches the origin only when its owner does not answer
        // and the asking node loads it itself (design §1 step 5), which the nodes count.
        Assert.InRange(duringRoll.Origin, 0, duringRoll.Fallbacks);
    }

    /// <summary>Origin loads and fallbacks per pod instance, sampled every 100 ms from <c>/v1/stats</c> and kept by pod
    /// uid, so the counts of a pod that was replaced still count (up to its last sample).</summary>
    private async Task CountLoadsAsync(System.Collections.Concurrent.ConcurrentDictionary<string, LoadCounts> countsByPod, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var pod in _cluster.Agent.Running.Where(p => p.Ready))
            {
                // A load that failed never reached the origin here: its loader is the pod's own application, stopped
                // before its sidecar while the pod terminates.
                if (GroupStats(pod.Name) is { } stats)
                {
                    long Count(string name) => stats.GetProperty(name).GetInt64();
                    var counts = new LoadCounts(Count("localLoads") - Count("localLoadErrors"), Count("peerErrors") + Count("ownerDownLoads"));
                    countsByPod.AddOrUpdate(pod.Uid, counts, (_, seen) => LoadCounts.Max(seen, counts));
                }
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>Gets the load loop has finished so far.</summary>
    private static int Gets(ChildProcess load) => load.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Waits until the load loop has finished a few more Gets: the phase the test is in saw traffic, however
    /// fast or slow the machine is.</summary>
    private async Task WaitForGetsAsync(ChildProcess load, string during)
    {
        var from = Gets(load);
        await _cluster.WaitUntilAsync($"5 Gets {during}", () => Gets(load) >= from + 5, TimeSpan.FromSeconds(60), () => $"{Gets(load) - from} Gets so far");
    }

    private int PeersDown(string pod)
    {
        var (status, body) = _cluster.HttpGetInPod("default", pod, "http://127.0.0.1:7071/v1/stats");
        if (status != "200")
        {
            return -1;
        }

        using var stats = JsonDocument.Parse(body);
        return stats.RootElement.GetProperty("ring").GetProperty("peersDown").GetInt32();
    }

    /// <summary>The share of 100,000 keys whose owner differs between the two member lists the pods reported, on the
    /// sidecar's own ring.</summary>
    private static double Moved(string[] before, string[] after)
    {
        var (a, b) = (Sidecar.Hashing.HashRing.Create(before, 1), Sidecar.Hashing.HashRing.Create(after, 2));
        return Enumerable.Range(0, 100_000).Count(i => a.Owner($"key-{i}") != b.Owner($"key-{i}")) / 100_000.0;
    }

    /// <summary>Waits until exactly <paramref name="replicas"/> pods run, all Ready, each ring holding exactly them.</summary>
    private async Task WaitForRingAsync(int replicas)
    {
        bool Converged()
        {
            var pods = _cluster.Agent.Running.ToArray();
            var expected = pods.Select(p => $"{p.Ip}:7070").Order(StringComparer.Ordinal).ToArray();
            return pods.Length == replicas && pods.All(p => p.Ready) && pods.All(p => Members(p.Name).SequenceEqual(expected));
        }

        await _cluster.WaitUntilAsync($"{replicas} pods Ready, each ring holding exactly them", Converged, PodsReady, RingsSeen);
    }

    private async Task WaitForReadyPodsAsync(int count, string after) =>
        await _cluster.WaitUntilAsync($"{count} pods Ready after {after}", () => _cluster.Agent.Running.Count(p => p.Ready) == count, PodsReady,
            () => $"{_cluster.Agent.Running.Count(p => p.Ready)} of {_cluster.Agent.Running.Count} pods Ready");

    /// <summary>Each pod's ring as its sidecar reports it, for failure messages.</summary>
    private string RingsSeen() =>
        string.Join("; ", _cluster.Agent.Running.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name} ({p.Ip}) ring [{string.Join(", ", Members(p.Name))}]"));

    private string PeersSeen() => $"scores-0 reports {PeersDown("scores-0")} peers down (-1: no answer)";

    private long Stat(string pod, string counter) => GroupStats(pod)?.GetProperty(counter).GetInt64() ?? 0;

    /// <summary>The scores group's counters as the pod's sidecar reports them; null when it does not answer.</summary>
    private JsonElement? GroupStats(string pod)
    {
        var (status, body) = _cluster.HttpGetInPod("default", pod, "http://127.0.0.1:7071/v1/stats");
        if (status != "200")
        {
            return null;
        }

        using var stats = JsonDocument.Parse(body);
        return stats.RootElement.GetProperty("groups").GetProperty("scores").Clone();
    }

    private string[] Members(string pod)
    {
        var (status, body) = _cluster.HttpGetInPod("default", pod, "http://127.0.0.1:7071/v1/stats");
        if (status != "200")
        {
            return [];
        }

        using var stats = JsonDocument.Parse(body);
        return stats.RootElement.GetProperty("ring").GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal).ToArray();
    }
}
