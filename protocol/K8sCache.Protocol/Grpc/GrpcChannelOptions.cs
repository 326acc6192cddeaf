namespace K8sCache.Protocol.Grpc;

/// <summary>Options of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted, in bytes; a larger one fails the call with RESOURCE_EXHAUSTED.
    /// Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>How long to wait for a TCP connection before the call fails with UNAVAILABLE. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Interval of HTTP/2 PING frames on idle connections, so a dead peer is noticed without a call timing
    /// out. Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> turns pings off.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Headers sent with every call of the channel (for example the peer token's <c>authorization</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DefaultHeaders { get; set; } = [];

    /// <summary>The clock deadlines are measured with. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Replaces the HTTP handler, for tests. The channel disposes it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
