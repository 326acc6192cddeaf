using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// A Set or Delete did not get an answer from the key's owner. Reads never raise it: they fall back to loading locally.
/// Two cases, kept apart because the caller must know which: the owner refused or could not be reached (marked down,
/// connection refused), so nothing was written (HTTP 503, gRPC UNAVAILABLE); or the owner did not answer within the
/// peer timeout, so the outcome is unknown: it may have applied the write (HTTP 504, gRPC DEADLINE_EXCEEDED). Set and
/// Delete are idempotent, so the caller can retry either.
/// </summary>
internal sealed class OwnerUnavailableException : Exception
{
    public OwnerUnavailableException(string owner, string reason)
        : base($"the owner of the key, {owner}, is unavailable ({reason}); nothing was written")
    {
    }

    public OwnerUnavailableException(string owner, PeerCallException innerException)
        : base(innerException.Failure == PeerFailure.TimedOut
            ? $"the owner of the key, {owner}, did not answer in time; the write may or may not have been applied: {innerException.Message}"
            : $"the owner of the key, {owner}, is unreachable; nothing was written: {innerException.Message}", innerException)
    {
        OutcomeUnknown = innerException.Failure == PeerFailure.TimedOut;
    }

    /// <summary>The owner did not answer in time: the write may have been applied.</summary>
    public bool OutcomeUnknown { get; }
}
