namespace K8sCache.Sidecar.Configuration;

/// <summary>The memory limit of this process's cgroup, the fallback when the pod's limit does not arrive through the
/// downward API: cgroup v2's <c>memory.max</c>, else v1's <c>memory.limit_in_bytes</c>.</summary>
internal static class CgroupMemory
{
    public const string V2LimitFile = "/sys/fs/cgroup/memory.max";
    public const string V1LimitFile = "/sys/fs/cgroup/memory/memory.limit_in_bytes";

    /// <summary>cgroup v1 reports "no limit" as a number near 2^63.</summary>
    private const long NoLimitAbove = 1L << 60;

    /// <summary>The limit in bytes, or null when there is none (<c>max</c>, or v1's near-2^63), or no file can be read.</summary>
    public static long? ReadLimit(string v2 = V2LimitFile, string v1 = V1LimitFile) => Read(v2) ?? Read(v1);

    private static long? Read(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes) && bytes is > 0 and < NoLimitAbove
                ? bytes
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
