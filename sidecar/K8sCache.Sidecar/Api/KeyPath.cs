namespace K8sCache.Sidecar.Api;

/// <summary>
/// Splits the raw request target <c>/v1/groups/{group}/keys/{key}</c>. The key is everything after <c>/keys/</c>,
/// percent-decoded, so keys may contain '/' (sent as is or as %2F) and any UTF-8. Read from the raw target because
/// the decoded path has already lost the difference between '/' and %2F.
/// </summary>
internal static class KeyPath
{
    public const string Prefix = "/v1/groups/";
    private const string KeysSegment = "/keys/";

    public static bool TryParse(string rawTarget, out string group, out string key)
    {
        group = key = string.Empty;
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, query);
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        path = path[Prefix.Length..];
        var keys = path.IndexOf(KeysSegment, StringComparison.Ordinal);
        if (keys <= 0)
        {
            return false;
        }

        var rawGroup = path[..keys];
        if (rawGroup.Contains('/'))
        {
            return false;
        }

        try
        {
            group = Uri.UnescapeDataString(rawGroup);
            key = Uri.UnescapeDataString(path[(keys + KeysSegment.Length)..]);
        }
        catch (UriFormatException)
        {
            return false;
        }

        return true;
    }
}
