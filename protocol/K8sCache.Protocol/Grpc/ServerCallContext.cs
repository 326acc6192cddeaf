using Microsoft.AspNetCore.Http;

namespace K8sCache.Protocol.Grpc;

/// <summary>What a handler knows about the call it serves besides the request message.</summary>
public sealed class ServerCallContext
{
    internal ServerCallContext(HttpContext httpContext, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The method's path, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>The request headers (gRPC metadata): where the peer token travels.</summary>
    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    /// <summary>When the caller's deadline (<c>grpc-timeout</c>) expires; null when the caller set none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the deadline passes, the caller cancels, or the connection drops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The caller's address, as <c>ip:port</c>.</summary>
    public string Peer => $"{HttpContext.Connection.RemoteIpAddress}:{HttpContext.Connection.RemotePort}";

    /// <summary>The underlying HTTP/2 request, for what this type does not expose.</summary>
    public HttpContext HttpContext { get; }
}
