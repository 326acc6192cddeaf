using System.Globalization;
using System.Runtime.InteropServices;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// Writes configMap and secret volumes the way the kubelet's atomic writer does, so that reloads and permissions are
/// exercised for real: the files go into a fresh timestamped directory <c>..YYYY_MM_DD_HH_MM_SS.N</c>, the symlink
/// <c>..data</c> is swapped to it in one rename, and each key is a symlink <c>KEY → ..data/KEY</c>. Files are owned by
/// root with the volume's mode; with an <c>fsGroup</c> the group becomes it and read-only volumes gain group read
/// (directories also setgid and group search), the rule <c>KubeletVolumeAccess</c> models.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static partial class KubeletVolumes
{
    private const int SetGid = 0x400; // 02000
    private const int GroupRead = 0x120; // 0440
    private const int SearchAll = 0x49; // 0111

    /// <summary>Writes (or atomically replaces) the volume's files under <paramref name="directory"/>.</summary>
    public static void Write(string directory, IReadOnlyDictionary<string, byte[]> files, int mode, long? fsGroup)
    {
        Directory.CreateDirectory(directory);
        var stamp = ".." + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture);
        var payload = Path.Combine(directory, stamp);
        Directory.CreateDirectory(payload);
        foreach (var (key, content) in files)
        {
            var path = Path.Combine(payload, key);
            File.WriteAllBytes(path, content);
            Own(path, mode, fsGroup, directory: false);
        }

        Own(payload, 0x1ED, fsGroup, directory: true); // 0755
        var link = Path.Combine(directory, "..data");
        var previous = File.Exists(link) || Directory.Exists(link) ? new FileInfo(link).LinkTarget : null;
        var temporary = Path.Combine(directory, "..data_tmp");
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, stamp);
        if (Rename(temporary, link) != 0)
        {
            throw new IOException($"rename {temporary} {link}: errno {Marshal.GetLastPInvokeError()}");
        }

        foreach (var key in files.Keys)
        {
            var user = Path.Combine(directory, key);
            if (!File.Exists(user) && new FileInfo(user).LinkTarget is null)
            {
                File.CreateSymbolicLink(user, Path.Combine("..data", key));
            }
        }

        if (previous is not null && previous != stamp)
        {
            Directory.Delete(Path.Combine(directory, previous), recursive: true);
        }
    }

    private static void Own(string path, int mode, long? fsGroup, bool directory)
    {
        if (fsGroup is { } group)
        {
            mode |= directory ? SetGid | GroupRead | SearchAll : GroupRead;
            if (Chown(path, 0, (int)group) != 0)
            {
                throw new IOException($"chown {path}: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        File.SetUnixFileMode(path, (UnixFileMode)mode);
    }

    /// <summary>rename(2): replaces the <c>..data</c> link in one step, as the atomic writer does.</summary>
    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
