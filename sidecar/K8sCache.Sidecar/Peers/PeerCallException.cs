namespace K8sCache.Sidecar.Peers;

/// <summary>A call to a peer failed; <see cref="Failure"/> says how, <see cref="Exception.Message"/> what the peer or
/// the transport said. Every <see cref="IPeer"/> call may throw it, and nothing else for a failed call.</summary>
internal sealed class PeerCallException(PeerFailure failure, string detail, Exception? innerException = null)
    : Exception(detail, innerException)
{
    public PeerFailure Failure { get; } = failure;
}
