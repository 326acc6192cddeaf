using System.Text.Json;

namespace K8sCache.Client;

/// <summary>How the client reaches its sidecar. With no options at all it talks to the sidecar's own default Redis
/// endpoint, <c>127.0.0.1:6379</c>, as an application container in a CacheGroup pod does.</summary>
public sealed class K8sCacheOptions
{
    /// <summary>The sidecar's Redis endpoint, <c>host:port</c>. Default <c>127.0.0.1:6379</c>.</summary>
    public string Endpoint { get; set; } = "127.0.0.1:6379";

    /// <summary>A Unix domain socket to use instead of <see cref="Endpoint"/> (a CacheGroup with
    /// <c>spec.resp.unixSocket</c> mounts <c>/var/run/k8scache-redis/redis.sock</c>). Default none.</summary>
    public string? UnixSocket { get; set; }

    /// <summary>The sidecar's <c>Resp:PasswordFile</c> password, sent with AUTH on every new connection. Default none.</summary>
    public string? Password { get; set; }

    /// <summary>The group <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/> keys belong to. Unset,
    /// those keys must name their group themselves: <c>GROUP:KEY</c>.</summary>
    public string? DefaultGroup { get; set; }

    /// <summary>Keep the in-process cache (the application's <c>IMemoryCache</c>, HybridCache's first level) coherent
    /// with the cluster: a key written or removed anywhere leaves this process's copy within milliseconds, and values
    /// that may have missed a change are never kept (client README, "Coherent in-process caches"). Default true.</summary>
    public bool CoherentLocalCache { get; set; } = true;

    /// <summary>Most connections open to the sidecar at once; a call waits for a free one. Default 64.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>How long opening a connection may take. Default 2 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one call may take, a miss's load through the cluster included. Default 30 seconds; the
    /// caller's CancellationToken can end it sooner.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Turns typed values into bytes and back. Default: System.Text.Json with <see cref="JsonSerializerOptions"/>.</summary>
    public IK8sCacheSerializer? Serializer { get; set; }

    /// <summary>The options of the default serializer: web defaults (camelCase). Set a source-generated
    /// <c>JsonSerializerContext</c> as their <c>TypeInfoResolver</c> to use the typed overloads.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
