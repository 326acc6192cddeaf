namespace K8sCache.Operator.Api;

/// <summary>The sidecar's Redis protocol endpoint (port 6379 in every pod, served on localhost).</summary>
internal sealed class RespSpec
{
    /// <summary>The group of every Redis key whose prefix before the first <c>:</c> is not a group name; one of
    /// <c>groups</c>. Unset: such keys are refused.</summary>
    public string? DefaultGroup { get; set; }

    /// <summary>Also serve a Unix domain socket, <c>/var/run/k8scache-redis/redis.sock</c>, in an emptyDir mounted into
    /// the sidecar and every container of the template.</summary>
    public bool? UnixSocket { get; set; }
}
