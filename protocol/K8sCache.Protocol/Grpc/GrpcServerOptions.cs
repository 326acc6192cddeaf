namespace K8sCache.Protocol.Grpc;

/// <summary>Options of the gRPC server layer.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, in bytes; a larger one is refused with RESOURCE_EXHAUSTED before its
    /// body is read. Default 4 MiB, as in every gRPC implementation.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>The clock deadlines are measured with. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
