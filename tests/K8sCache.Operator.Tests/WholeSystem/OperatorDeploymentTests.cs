using System.Text.Json;
using K8sCache.Operator.Tests.Fixtures;
using Xunit.Abstractions;

namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>
/// The operator as it is deployed: installed by the real helm under the chart's service account and RBAC, and as two
/// replicas electing a leader, whose leader dies in the middle of a scale. Each test starts its own cluster.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection(WholeSystemCollection.Name)]
public sealed class OperatorDeploymentTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PodsReady = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TheOperatorsLeaderKilledDuringAScale_TheStandbyFinishesIt()
    {
        await using var cluster = await PodClusterEnvironment.StartAsync(operators: 2, log: output.WriteLine);
        var leases = cluster.Api.Server.Resource("coordination.k8s.io/v1", "leases");
        string? Holder() => (string?)cluster.Api.Get(leases, "default", "k8scache-operator")?["spec"]?["holderIdentity"];
        await cluster.WaitUntilAsync("one of two operators holds the Lease", () => Holder() is not null, TestTimeouts.Default);
        var (exit, _, error) = await cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        await cluster.WaitUntilAsync("3 pods Ready after kubectl apply examples/cachegroup.yaml", () => cluster.Agent.Running.Count(p => p.Ready) == 3, PodsReady);
        var leader = Holder()!;

        (exit, _, error) = await cluster.Api.KubectlAsync("scale", "cg/scores", "--replicas=5");
        Assert.True(exit == 0, error);
        var killed = DateTime.UtcNow;
        cluster.Operators[int.Parse(leader["operator-".Length..], System.Globalization.CultureInfo.InvariantCulture)].Kill();
        await cluster.WaitUntilAsync($"the standby takes the Lease from {leader} and 5 pods are Ready",
            () => cluster.Agent.Running.Count(p => p.Ready) == 5 && Holder() != leader, PodsReady,
            () => $"Lease held by {Holder()}; {cluster.Agent.Running.Count(p => p.Ready)} pods Ready");
        var finished = DateTime.UtcNow - killed;
        output.WriteLine($"leader {leader} killed (SIGKILL) right after the scale: {Holder()} leads and 5 pods are ready {finished.TotalSeconds:F1} s later");

        Assert.NotEqual(leader, Holder());
        Assert.Equal(5, cluster.Agent.Running.Count(p => p.Ready));
        // The new leader wrote what the StatefulSet reports: the killed one could not have seen 5 ready pods.
        await cluster.WaitUntilAsync("the CacheGroup's status says 5 ready", () => (int?)cluster.Api.Get(cluster.Api.CacheGroups, "default", "scores")!["status"]!["readyReplicas"] == 5, TestTimeouts.Default);
        Assert.Equal(5, (int?)cluster.Api.Get(cluster.Api.CacheGroups, "default", "scores")!["status"]!["readyReplicas"]);
    }

    [Fact]
    public async Task HelmInstall_ThenTheOperatorRunsAsItsDeploymentSays_UnderItsServiceAccount_WithinTheChartsRbac()
    {
        await using var cluster = await PodClusterEnvironment.StartAsync(operators: 0, log: output.WriteLine);
        // The real helm installs the chart: its objects by server-side apply, its release record as a Secret (which
        // Helm 4 writes in protobuf), then reads the release back.
        var (exit, applied, error) = await cluster.Api.HelmAsync("install", "k8scache", Helm.Chart, "--namespace", "k8scache-system",
            "--create-namespace", "--set", "watchNamespaces={default}");
        Assert.True(exit == 0, applied + error);
        var (_, status, _) = await cluster.Api.HelmAsync("status", "k8scache", "--namespace", "k8scache-system");
        Assert.Contains("STATUS: deployed", status, StringComparison.Ordinal);

        var deployments = cluster.Api.Server.Resource("apps/v1", "deployments");
        var deployment = cluster.Api.Get(deployments, "k8scache-system", "k8scache");
        Assert.True(deployment is not null, applied);
        var pod = deployment!["spec"]!["template"]!["spec"]!;
        var account = (string)pod["serviceAccountName"]!;
        Assert.NotNull(cluster.Api.Get(cluster.Api.Server.Resource("v1", "serviceaccounts"), "k8scache-system", account));
        using var replica = cluster.StartOperatorAs(pod, "k8scache-system", account);
        (exit, _, error) = await cluster.Api.KubectlAsync("apply", "-f", Path.Combine(RepositoryPaths.Root, "examples", "cachegroup.yaml"));
        Assert.True(exit == 0, error);
        await cluster.WaitUntilAsync("3 pods Ready, reconciled by the chart's operator", () => cluster.Agent.Running.Count(p => p.Ready) == 3, PodsReady);
        await cluster.WaitUntilAsync("the CacheGroup's status says 3 ready", () => (int?)cluster.Api.Get(cluster.Api.CacheGroups, "default", "scores")?["status"]?["readyReplicas"] == 3, TestTimeouts.Default);
        var logs = replica.StandardOutput + replica.StandardError;
        var forbiddenElsewhere = await cluster.GetAsAsync("k8scache-system", account, "/api/v1/namespaces/kube-system/secrets");
        output.WriteLine($"helm install, then the operator as its Deployment runs it, under service account {account}: 3 pods ready\n{applied}");

        Assert.Equal(3, (int?)cluster.Api.Get(cluster.Api.CacheGroups, "default", "scores")!["status"]!["readyReplicas"]);
        Assert.DoesNotContain("forbidden", logs, StringComparison.OrdinalIgnoreCase);
        // RBAC is enforced for that identity: the chart grants nothing outside the namespaces it manages.
        Assert.Equal(403, forbiddenElsewhere.Status);
        using var refusal = JsonDocument.Parse(forbiddenElsewhere.Body);
        Assert.Equal(
            "secrets is forbidden: User \"system:serviceaccount:k8scache-system:k8scache\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kube-system\"",
            refusal.RootElement.GetProperty("message").GetString());
    }
}
