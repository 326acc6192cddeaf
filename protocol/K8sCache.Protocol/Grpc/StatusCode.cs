namespace K8sCache.Protocol.Grpc;

/// <summary>The gRPC status codes, with the numeric values the wire carries in <c>grpc-status</c>.</summary>
public enum StatusCode
{
    /// <summary>Success.</summary>
    OK = 0,
    /// <summary>The call was cancelled, usually by the caller.</summary>
    Cancelled = 1,
    /// <summary>An error with no better code; also what a handler's unexpected exception becomes.</summary>
    Unknown = 2,
    /// <summary>The request is invalid whatever the state of the system (a malformed key, a negative TTL).</summary>
    InvalidArgument = 3,
    /// <summary>The deadline passed before the call completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>A named entity (a cache group) does not exist.</summary>
    NotFound = 5,
    /// <summary>The entity already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller is known but may not do this.</summary>
    PermissionDenied = 7,
    /// <summary>A limit was hit: a message or value above its maximum size, or a quota.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in the state the call needs.</summary>
    FailedPrecondition = 9,
    /// <summary>The call was aborted, typically by a concurrency conflict.</summary>
    Aborted = 10,
    /// <summary>A value was outside its valid range.</summary>
    OutOfRange = 11,
    /// <summary>The method is not implemented, or the message uses a feature the server lacks (compression).</summary>
    Unimplemented = 12,
    /// <summary>An invariant of the protocol or the server was broken.</summary>
    Internal = 13,
    /// <summary>The service cannot be reached now; retrying may help.</summary>
    Unavailable = 14,
    /// <summary>Data was lost or corrupted.</summary>
    DataLoss = 15,
    /// <summary>The call carries no valid credentials (the peer token).</summary>
    Unauthenticated = 16,
}
