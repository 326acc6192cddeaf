namespace K8sCache.Sidecar.Loading;

/// <summary>What a loader produced. <see cref="Ttl"/> null: use the group's default; <see cref="Cacheable"/> false: hand the
/// value to the caller but do not store it (<c>Cache-Control: no-store</c> or <c>max-age=0</c>).</summary>
internal readonly record struct LoadResult(bool Found, byte[] Value, TimeSpan? Ttl, bool Cacheable)
{
    public static LoadResult NotFound { get; } = new(false, [], null, false);
}
