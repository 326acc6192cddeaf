using System.Net;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// What a client reports when the server answers with an HTTP status other than 200 (a proxy, a server that is not
/// gRPC): the mapping of grpc's http-grpc-status-mapping.md.
/// </summary>
internal static class HttpStatusMapping
{
    public static StatusCode ToStatusCode(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>The status a stream reset by the server (RST_STREAM) ends the call with (PROTOCOL-HTTP2.md, "Errors").</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,       // REFUSED_STREAM: the server did not process the call.
        0x8 => StatusCode.Cancelled,         // CANCEL
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,  // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
