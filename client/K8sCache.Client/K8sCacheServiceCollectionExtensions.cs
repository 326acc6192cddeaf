using K8sCache.Client;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the K8sCache client.</summary>
public static class K8sCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IK8sCache"/>, and the cluster cache as the <see cref="IDistributedCache"/> and
    /// <see cref="IBufferDistributedCache"/> (replacing any registered before, so <c>AddHybridCache()</c> uses it as its
    /// second level). The application's <see cref="IMemoryCache"/> (HybridCache's first level) is a
    /// <see cref="MemoryCache"/> with the registered <see cref="MemoryCacheOptions"/>, kept coherent with the cluster
    /// unless <see cref="K8sCacheOptions.CoherentLocalCache"/> is off. With no <paramref name="configure"/>, it talks to
    /// the sidecar's default localhost endpoint.
    /// </summary>
    public static IServiceCollection AddK8sCache(this IServiceCollection services, Action<K8sCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<K8sCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new K8sCacheClient(sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value));
        services.TryAddSingleton<IK8sCache>(sp => sp.GetRequiredService<K8sCacheClient>());
        services.TryAddSingleton(sp => new LocalCacheCoherence(
            sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value, sp.GetRequiredService<K8sCacheClient>(), sp));
        services.TryAddSingleton(sp =>
        {
            var value = sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value;
            return new K8sDistributedCache(sp.GetRequiredService<K8sCacheClient>(), value, value.CoherentLocalCache ? sp.GetRequiredService<LocalCacheCoherence>() : null);
        });
        services.RemoveAll<IDistributedCache>();
        services.RemoveAll<IBufferDistributedCache>();
        services.AddSingleton<IDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());

        // HybridCache's AddMemoryCache only adds a cache when none is registered: this one stays, whatever the order.
        services.AddMemoryCache();
        services.Replace(ServiceDescriptor.Singleton<IMemoryCache>(sp =>
        {
            var memory = new MemoryCache(sp.GetRequiredService<IOptions<MemoryCacheOptions>>(), sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            return sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value.CoherentLocalCache
                ? new CoherentMemoryCache(memory, sp.GetRequiredService<LocalCacheCoherence>())
                : memory;
        }));
        return services;
    }
}
