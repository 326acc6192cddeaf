namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// The names and numbers of gRPC over HTTP/2 (PROTOCOL-HTTP2.md in the grpc repository), in one place.
/// </summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string UserAgent = "grpc-dotnet-k8scache/1.0";

    /// <summary>Timeouts above this run without a deadline, on the server and the client: a 99999999H
    /// <c>grpc-timeout</c> is legal on the wire but would overflow timers (about 49 days) and dates. Thirty days is
    /// no deadline in practice.</summary>
    public static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(30);

    /// <summary>The default limit on a received message, as in every gRPC implementation: 4 MiB.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Length of the prefix in front of every message.</summary>
    public const int HeaderSize = 5;
}
