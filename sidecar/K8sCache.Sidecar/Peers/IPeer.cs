using K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Peers;

/// <summary>Another node, as the read and write paths see it. Every call may throw <c>RpcException</c> (a peer error).</summary>
internal interface IPeer
{
    /// <summary>The peer's address as the ring names it.</summary>
    string Address { get; }

    Task<PeerGetResponse> GetAsync(string group, string key, CancellationToken cancellationToken);

    Task<PeerSetResponse> SetAsync(string group, string key, byte[] value, long ttlMs, CancellationToken cancellationToken);

    Task<PeerDeleteResponse> DeleteAsync(string group, string key, CancellationToken cancellationToken);

    Task InvalidateAsync(string group, string key, CancellationToken cancellationToken);
}
