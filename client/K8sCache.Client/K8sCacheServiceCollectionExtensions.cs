using K8sCache.Client;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the K8sCache client.</summary>
public static class K8sCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IK8sCache"/>, and the cluster cache as the <see cref="IDistributedCache"/> and
    /// <see cref="IBufferDistributedCache"/> (replacing any registered before, so <c>AddHybridCache()</c> uses it as its
    /// second level). With no <paramref name="configure"/>, it talks to the sidecar's default localhost endpoint.
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
        services.TryAddSingleton(sp => new K8sDistributedCache(sp.GetRequiredService<K8sCacheClient>(), sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value));
        services.RemoveAll<IDistributedCache>();
        services.RemoveAll<IBufferDistributedCache>();
        services.AddSingleton<IDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());
        return services;
    }
}
