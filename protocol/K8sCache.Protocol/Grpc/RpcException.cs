namespace K8sCache.Protocol.Grpc;

/// <summary>
/// A gRPC call that ended with a status other than <see cref="StatusCode.OK"/>. Handlers throw it to answer with a
/// status; the client throws it for every failed call, whether the status came in trailers, in a trailers-only response,
/// from an HTTP error, or from a local deadline.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates the exception for <paramref name="statusCode"/> with a human-readable detail.</summary>
    public RpcException(StatusCode statusCode, string detail, Exception? innerException = null)
        : base($"Status(StatusCode=\"{statusCode}\", Detail=\"{detail}\")", innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The status code of the call.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message (<c>grpc-message</c>), decoded.</summary>
    public string Detail { get; }
}
