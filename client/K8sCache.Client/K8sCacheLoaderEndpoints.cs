using K8sCache.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the loader endpoint a group's sidecars call on a miss: groupcache's <c>Getter</c> for ASP.NET Core.</summary>
public static class K8sCacheLoaderEndpoints
{
    /// <summary>Where loaders are mapped: <c>GET /k8scache/{group}/{key}</c>.</summary>
    public const string Prefix = "/k8scache";

    /// <summary>
    /// Maps <c>GET /k8scache/GROUP/{key}</c> to <paramref name="loader"/>; the CacheGroup's loader URL is then
    /// <c>http://localhost:PORT/k8scache/GROUP/{key}</c>. The sidecar contract is handled here: a value answers 200
    /// with <c>Cache-Control: max-age</c> from its lifetime (or <c>no-store</c>), not found answers 404, an exception
    /// answers 500 with its message (the sidecar reports it to its caller and keeps nothing). The token given to the
    /// loader is cancelled when the sidecar gives up (its loader timeout), so the work stops with it. The key arrives
    /// exactly as the application stored it, however it was escaped on the way.
    /// </summary>
    public static IEndpointConventionBuilder MapK8sCacheLoader(this IEndpointRouteBuilder endpoints, string group,
        Func<string, CancellationToken, ValueTask<K8sCacheLoad>> loader)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(loader);
        var prefix = $"{Prefix}/{Uri.EscapeDataString(group)}/";
        return endpoints.MapGet(prefix + "{**key}", async context =>
        {
            // The raw target, unescaped once: routing's decoded value would unescape an escaped '%' twice.
            var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
            var path = raw.Split('?', 2)[0];
            var key = Uri.UnescapeDataString(path[prefix.Length..]);
            K8sCacheLoad result;
            try
            {
                result = await loader(key, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync($"the loader of group '{group}' failed: {e.Message}", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            if (!result.IsFound)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.Headers.CacheControl = !result.Cacheable ? "no-store"
                : result.Ttl is { } ttl ? $"max-age={Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds))}"
                : null;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = result.Value.Length;
            await context.Response.Body.WriteAsync(result.Value, context.RequestAborted).ConfigureAwait(false);
        });
    }
}
