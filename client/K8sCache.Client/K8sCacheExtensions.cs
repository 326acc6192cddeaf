using System.Text;

namespace K8sCache.Client;

/// <summary>String and typed overloads of <see cref="IK8sCache"/>: UTF-8 text, and values through its serializer.</summary>
public static class K8sCacheExtensions
{
    /// <summary>The value as UTF-8 text, or null when not found.</summary>
    public static async ValueTask<string?> GetStringAsync(this IK8sCache cache, string group, string key, CancellationToken cancellationToken = default) =>
        await cache.GetAsync(group, key, cancellationToken).ConfigureAwait(false) is { } value ? Encoding.UTF8.GetString(value) : null;

    /// <summary>Stores <paramref name="value"/> as UTF-8 text.</summary>
    public static ValueTask SetStringAsync(this IK8sCache cache, string group, string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        cache.SetAsync(group, key, Encoding.UTF8.GetBytes(value), ttl, cancellationToken);

    /// <summary>The value deserialized, or <c>default</c> when not found.</summary>
    public static async ValueTask<T?> GetAsync<T>(this IK8sCache cache, string group, string key, CancellationToken cancellationToken = default) =>
        await cache.GetAsync(group, key, cancellationToken).ConfigureAwait(false) is { } value ? cache.Serializer.Deserialize<T>(value) : default;

    /// <summary>Stores <paramref name="value"/> serialized by the cache's serializer.</summary>
    public static ValueTask SetAsync<T>(this IK8sCache cache, string group, string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        cache.SetAsync(group, key, cache.Serializer.Serialize(value), ttl, cancellationToken);
}
