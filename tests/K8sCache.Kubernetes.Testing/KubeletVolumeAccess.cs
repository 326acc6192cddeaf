using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// The kubelet's rules for who may read a file of a <c>secret</c> or <c>configMap</c> volume, as a stand-in for a real
/// node: the atomic writer creates each file owned by root:root with the item's <c>mode</c>, else the volume's
/// <c>defaultMode</c>, else 0644; when the pod sets <c>securityContext.fsGroup</c>, the volume's ownership is then set
/// to that group and, these volumes being read-only, group read (0440) is added. A container's process runs as
/// <c>runAsUser</c>/<c>runAsGroup</c> from the container, else the pod, else the image's <c>USER</c>, with the pod's
/// <c>fsGroup</c> and <c>supplementalGroups</c> as supplementary groups. Root reads anything only while it keeps
/// CAP_DAC_OVERRIDE (a container that drops ALL capabilities does not).
/// </summary>
public static class KubeletVolumeAccess
{
    public const int DefaultFileMode = 0x1A4; // 0644

    /// <summary>Owner, group and permission bits of a file the kubelet writes for <paramref name="volume"/>.</summary>
    public static (long Uid, long Gid, int Mode) FileOf(JsonObject podSpec, JsonObject volume, string key)
    {
        var source = volume["secret"] as JsonObject ?? volume["configMap"] as JsonObject
            ?? throw new ArgumentException($"volume {volume["name"]} is neither a secret nor a configMap volume");
        var item = (source["items"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(i => (string?)i["key"] == key);
        var mode = (int?)item?["mode"] ?? (int?)source["defaultMode"] ?? DefaultFileMode;
        if ((long?)podSpec["securityContext"]?["fsGroup"] is { } fsGroup)
        {
            return (0, fsGroup, mode | 0x120); // | 0440
        }

        return (0, 0, mode);
    }

    /// <summary>The identity a container's process runs with.</summary>
    public static (long Uid, long Gid, IReadOnlyList<long> Groups, bool DacOverride) ProcessOf(JsonObject podSpec, JsonObject container, long imageUid, long imageGid)
    {
        var pod = podSpec["securityContext"] as JsonObject;
        var own = container["securityContext"] as JsonObject;
        var uid = (long?)own?["runAsUser"] ?? (long?)pod?["runAsUser"] ?? imageUid;
        var gid = (long?)own?["runAsGroup"] ?? (long?)pod?["runAsGroup"] ?? imageGid;
        var groups = new List<long>();
        if ((long?)pod?["fsGroup"] is { } fsGroup)
        {
            groups.Add(fsGroup);
        }

        groups.AddRange((pod?["supplementalGroups"] as JsonArray)?.Select(g => (long)g!) ?? []);
        var dropsAll = (own?["capabilities"]?["drop"] as JsonArray)?.Any(c => (string?)c == "ALL") == true;
        return (uid, gid, groups, uid == 0 && !dropsAll);
    }

    /// <summary>Whether <paramref name="container"/> can read the file <paramref name="key"/> of the volume it mounts
    /// as <paramref name="volumeName"/>, given the image's user.</summary>
    public static bool CanRead(JsonObject podSpec, JsonObject container, string volumeName, string key, long imageUid, long imageGid)
    {
        var volume = (podSpec["volumes"] as JsonArray)?.OfType<JsonObject>().SingleOrDefault(v => (string?)v["name"] == volumeName)
            ?? throw new ArgumentException($"the pod has no volume {volumeName}");
        var file = FileOf(podSpec, volume, key);
        var process = ProcessOf(podSpec, container, imageUid, imageGid);
        if (process.DacOverride)
        {
            return true;
        }

        if (process.Uid == file.Uid)
        {
            return (file.Mode & 0x100) != 0; // 0400
        }

        if (process.Gid == file.Gid || process.Groups.Contains(file.Gid))
        {
            return (file.Mode & 0x20) != 0; // 0040
        }

        return (file.Mode & 0x4) != 0; // 0004
    }
}
