using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K8sCache.Kubernetes.Testing;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.Rendering;

/// <summary>
/// Every file the operator mounts into the sidecar is readable by the user the sidecar runs as, under the kubelet's
/// ownership rules (<see cref="KubeletVolumeAccess"/>) — for the operator's own pod template and for users' templates
/// that bring a security context of their own. A pod whose sidecar cannot read its token crash-loops on a real cluster.
/// </summary>
public class MountedFilesTests
{
    private static readonly RenderOptions Options = new();

    public static TheoryData<string> Templates() => new() { "none", "full", "runAsUser without fsGroup", "own fsGroup", "root pod" };

    [Theory]
    [MemberData(nameof(Templates))]
    public void SidecarCanReadItsTokenAndConfig(string template)
    {
        var (pod, sidecar) = Render(template);
        var (uid, gid) = ImageUser();

        Assert.True(KubeletVolumeAccess.CanRead(pod, sidecar, "k8scache-peer-token", SidecarConfigRenderer.TokenKey, uid, gid), "token unreadable");
        Assert.True(KubeletVolumeAccess.CanRead(pod, sidecar, "k8scache-config", SidecarConfigRenderer.FileName, uid, gid), "config unreadable");
    }

    [Fact]
    public void TheRule_RefusesWhatTheKubeletWouldRefuse()
    {
        // The rendering this project shipped before: mode 0400, no fsGroup. Root owns the file; user 1654 cannot read it.
        var (pod, sidecar) = Render("none");
        pod["securityContext"]!.AsObject().Remove("fsGroup");
        pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "k8scache-peer-token")!["secret"]!["defaultMode"] = 0x100;
        var (uid, gid) = ImageUser();

        Assert.False(KubeletVolumeAccess.CanRead(pod, sidecar, "k8scache-peer-token", SidecarConfigRenderer.TokenKey, uid, gid));
    }

    [Fact]
    public void SidecarUser_IsTheImagesUser() => Assert.Equal((StatefulSetRenderer.SidecarUser, StatefulSetRenderer.SidecarUser), ImageUser());

    [Fact]
    public void UsersOwnSecurityContext_IsKept_WithFsGroupAdded()
    {
        var (pod, _) = Render("runAsUser without fsGroup");

        Assert.Equal((1000L, 3000L, StatefulSetRenderer.SidecarUser), ((long?)pod["securityContext"]!["runAsUser"], (long?)pod["securityContext"]!["runAsGroup"], (long?)pod["securityContext"]!["fsGroup"]));
    }

    private static (JsonObject Pod, JsonObject Sidecar) Render(string template)
    {
        var cg = template == "full" ? CacheGroups.Full() : CacheGroups.Minimal();
        cg.Spec.Template = template switch
        {
            "runAsUser without fsGroup" => Pod("""{ "runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true }"""),
            "own fsGroup" => Pod("""{ "fsGroup": 2000, "supplementalGroups": [ 4000 ] }"""),
            "root pod" => Pod("""{ "runAsUser": 0 }"""),
            _ => cg.Spec.Template,
        };
        var sts = ManifestRenderer.Render(cg, Options).Single(o => (string?)o["kind"] == "StatefulSet");
        var pod = sts["spec"]!["template"]!["spec"]!.AsObject();
        var sidecar = pod["containers"]!.AsArray().Concat(pod["initContainers"]?.AsArray() ?? [])
            .OfType<JsonObject>().Single(c => (string?)c["name"] == StatefulSetRenderer.SidecarContainerName);
        return (pod, sidecar);
    }

    private static JsonObject Pod(string securityContext) => JsonNode.Parse($$"""
        { "spec": { "securityContext": {{securityContext}}, "containers": [ { "name": "app", "image": "example.com/app:1" } ] } }
        """)!.AsObject();

    /// <summary>The sidecar stage's <c>USER</c> in the Dockerfile (a uid; the chiseled image's group of that user has the same id).</summary>
    private static (long Uid, long Gid) ImageUser()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        var stage = dockerfile[dockerfile.IndexOf(" AS sidecar", StringComparison.Ordinal)..];
        var user = long.Parse(Regex.Match(stage, @"^USER (\d+)", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (user, user);
    }
}
