using Google.Protobuf;
using K8sCache.Protocol.Grpc.Internal;

namespace K8sCache.Protocol.Grpc;

/// <summary>
/// The methods one service serves, bound to their handlers. Build one per service and pass it to
/// <see cref="GrpcApplicationBuilderExtensions.UseGrpcServices"/>.
/// </summary>
public sealed class GrpcServiceDefinition
{
    private readonly List<ServerCallHandler> _handlers = [];

    /// <summary>Creates an empty definition of the service <paramref name="serviceName"/> (<c>package.Service</c>).</summary>
    public GrpcServiceDefinition(string serviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ServiceName = serviceName;
    }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName { get; }

    internal IReadOnlyList<ServerCallHandler> Handlers => _handlers;

    /// <summary>Binds a unary method to its handler.</summary>
    public GrpcServiceDefinition AddUnary<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check(method.ServiceName, method.Type, MethodType.Unary);
        _handlers.Add(new UnaryServerCallHandler<TRequest, TResponse>(method, handler));
        return this;
    }

    /// <summary>Binds a server-streaming method to its handler.</summary>
    public GrpcServiceDefinition AddServerStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check(method.ServiceName, method.Type, MethodType.ServerStreaming);
        _handlers.Add(new ServerStreamingServerCallHandler<TRequest, TResponse>(method, handler));
        return this;
    }

    private void Check(string serviceName, MethodType actual, MethodType expected)
    {
        if (serviceName != ServiceName)
        {
            throw new ArgumentException($"Method of service '{serviceName}' added to the definition of '{ServiceName}'.");
        }

        if (actual != expected)
        {
            throw new ArgumentException($"A {actual} method cannot be bound as {expected}.");
        }
    }
}
