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
    /// second level; HybridCache needs <see cref="K8sCacheOptions.DefaultGroup"/>, for its tag records). With no
    /// <paramref name="configure"/>, it talks to the sidecar's default localhost endpoint.
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
        services.TryAddSingleton(sp =>
        {
            var value = sp.GetRequiredService<IOptions<K8sCacheOptions>>().Value;
            // HybridCache keeps its tag invalidations under keys of its own, which name no group. Were they refused,
            // it would distrust every entry of the second level and quietly run factories again: say so instead.
            if (value.DefaultGroup is null && sp.GetService<IServiceProviderIsService>()?.IsService(typeof(Microsoft.Extensions.Caching.Hybrid.HybridCache)) == true)
            {
                throw new InvalidOperationException(
                    "HybridCache uses the K8sCache distributed cache with keys that name no group (its tag records): set K8sCacheOptions.DefaultGroup in AddK8sCache");
            }

            return new K8sDistributedCache(sp.GetRequiredService<K8sCacheClient>(), value);
        });
        services.RemoveAll<IDistributedCache>();
        services.RemoveAll<IBufferDistributedCache>();
        services.AddSingleton<IDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(sp => sp.GetRequiredService<K8sDistributedCache>());
        return services;
    }
}
