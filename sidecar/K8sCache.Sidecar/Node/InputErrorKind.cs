namespace K8sCache.Sidecar.Node;

/// <summary>Why a request was refused before touching the cache. Each entry point maps it to its own status.</summary>
internal enum InputErrorKind
{
    /// <summary>HTTP 400, gRPC INVALID_ARGUMENT: an empty or oversized key, a negative TTL, too many keys.</summary>
    InvalidArgument,

    /// <summary>HTTP 404 with a body naming the group, gRPC NOT_FOUND.</summary>
    UnknownGroup,

    /// <summary>HTTP 413, gRPC RESOURCE_EXHAUSTED: a value above MaxValueBytes.</summary>
    TooLarge,

    /// <summary>HTTP 409, gRPC FAILED_PRECONDITION, Redis WRONGTYPE: the key holds a hash and the request reads or
    /// writes a string, or the other way round.</summary>
    WrongType,
}
