namespace K8sCache.Sidecar.Peers;

/// <summary>Why a call to a peer failed, in the read and write paths' terms (the client translates the wire's codes).</summary>
internal enum PeerFailure
{
    /// <summary>No answer: the peer is down, refused the connection, or cannot serve (a failing owner).</summary>
    Unreachable,

    /// <summary>No answer within the deadline: a write may or may not have been applied.</summary>
    TimedOut,

    /// <summary>The owner answered that its loader failed: an answer, not a failing owner.</summary>
    LoadFailed,

    /// <summary>The owner refused the request as invalid (its limits may differ from this node's during a rollout).</summary>
    InvalidArgument,

    /// <summary>The owner does not serve the group.</summary>
    UnknownGroup,

    /// <summary>The owner refused the request as too large.</summary>
    TooLarge,

    /// <summary>The owner holds the key as another kind of value (a hash where a string was asked for).</summary>
    WrongType,

    /// <summary>Any other error the peer answered with.</summary>
    Failed,
}
