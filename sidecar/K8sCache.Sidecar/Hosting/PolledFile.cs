namespace K8sCache.Sidecar.Hosting;

/// <summary>A file whose content is compared on every look. Polled rather than watched: a ConfigMap or Secret volume
/// updates by swapping a symlink (<c>..data</c>), which file-change events miss. The last content itself is kept (the
/// files are a configuration and a token, a few kilobytes): hashing it would load the system's crypto library into every
/// sidecar for this alone.</summary>
internal sealed class PolledFile(string path)
{
    private byte[]? _last = Read(path);

    public string Path { get; } = path;

    /// <summary>True when the content differs from the last look; a file that cannot be read counts as unchanged.</summary>
    public bool Changed()
    {
        var current = Read(Path);
        if (current is null || (_last is not null && current.AsSpan().SequenceEqual(_last)))
        {
            return false;
        }

        _last = current;
        return true;
    }

    private static byte[]? Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
