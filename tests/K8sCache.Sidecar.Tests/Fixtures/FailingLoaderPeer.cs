using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>An owner that is healthy but whose loader fails, as the peer client reports a FAILED_PRECONDITION answer;
/// with <paramref name="failure"/> <see cref="PeerFailure.Unreachable"/>, an owner whose loader cannot be reached at all
/// (it answers UNAVAILABLE).</summary>
internal sealed class FailingLoaderPeer(string address, PeerFailure failure = PeerFailure.LoadFailed) : IPeer
{
    public string Address { get; } = address;

    public bool IsDown => false;

    public bool CopiesServable(long nowMs) => true;

    public long RecordMissedInvalidation() => long.MinValue;

    public Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken) =>
        throw new PeerCallException(failure, failure == PeerFailure.Unreachable ? "loader unreachable at http://app/x" : "loader answered HTTP 500 for http://app/x");

    public Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerWrite(true, []));

    public Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerWrite(false, []));

    public Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
}
