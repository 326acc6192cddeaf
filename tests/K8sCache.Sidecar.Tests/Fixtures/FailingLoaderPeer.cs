using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>An owner that is healthy but whose loader fails: it answers Get with FAILED_PRECONDITION, as PeerGrpcService
/// does; with <paramref name="status"/> UNAVAILABLE, an owner whose loader cannot be reached at all.</summary>
internal sealed class FailingLoaderPeer(string address, StatusCode status = StatusCode.FailedPrecondition) : IPeer
{
    public string Address { get; } = address;

    public bool IsDown => false;

    public bool CopiesServable(long nowMs) => true;

    public long RecordMissedInvalidation() => long.MinValue;

    public Task<PeerGetResponse> GetAsync(string group, string key, CancellationToken cancellationToken) =>
        throw new RpcException(status, status == StatusCode.Unavailable ? "loader unreachable at http://app/x" : "loader answered HTTP 500 for http://app/x");

    public Task<PeerSetResponse> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerSetResponse());

    public Task<PeerDeleteResponse> DeleteAsync(string group, string key, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerDeleteResponse());

    public Task<PeerExpireResponse> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<PeerPeekResponse> PeekAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
}
