namespace K8sCache.Client;

/// <summary>
/// The cluster cache, through this pod's sidecar. A Get that misses goes to the key's owner and, once in the whole
/// cluster, to the group's loader; a Set or Delete is applied by the owner, and every Get that starts after it returns
/// sees it. Not found is a null result; failures throw <see cref="K8sCacheException"/> saying what failed.
/// </summary>
public interface IK8sCache
{
    /// <summary>The serializer of the typed overloads.</summary>
    IK8sCacheSerializer Serializer { get; }

    /// <summary>The value of <paramref name="key"/> in <paramref name="group"/>, or null when neither the cache nor the
    /// group's loader has it.</summary>
    ValueTask<byte[]?> GetAsync(string group, string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/>; <paramref name="ttl"/> null means the group's default lifetime.</summary>
    ValueTask SetAsync(string group, string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the key; true when the cache held it.</summary>
    ValueTask<bool> DeleteAsync(string group, string key, CancellationToken cancellationToken = default);

    /// <summary>Several keys at once (each from its own owner), answered in the order asked; null where not found.</summary>
    ValueTask<IReadOnlyList<byte[]?>> GetManyAsync(string group, IReadOnlyList<string> keys, CancellationToken cancellationToken = default);
}
