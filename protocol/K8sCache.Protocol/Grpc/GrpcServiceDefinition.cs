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
    private Func<ServerCallContext, RpcException?>? _authorize;

    /// <summary>Creates an empty definition of the service <paramref name="serviceName"/> (<c>package.Service</c>).</summary>
    public GrpcServiceDefinition(string serviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ServiceName = serviceName;
    }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName { get; }

    internal IReadOnlyList<ServerCallHandler> Handlers => _handlers;

    /// <summary>Binds a unary method to its handler. <paramref name="maxReceiveMessageSize"/>, read per call, limits
    /// this method's request message below the server's limit (a method that carries only a key needs far less than one that
    /// carries a value); a larger message is refused with RESOURCE_EXHAUSTED before its body is read.</summary>
    public GrpcServiceDefinition AddUnary<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler, Func<int>? maxReceiveMessageSize = null)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check(method.ServiceName, method.Type, MethodType.Unary);
        _handlers.Add(new UnaryServerCallHandler<TRequest, TResponse>(method, handler)
        {
            MaxReceiveMessageSize = maxReceiveMessageSize,
            Authorize = _authorize,
        });
        return this;
    }

    /// <summary>Checks every call of this service before its request body is read (authentication): a non-null
    /// answer is the call's status. Applies to methods bound before and after.</summary>
    public GrpcServiceDefinition Authorize(Func<ServerCallContext, RpcException?> check)
    {
        _authorize = check;
        foreach (var handler in _handlers)
        {
            handler.Authorize = check;
        }

        return this;
    }

    /// <summary>Binds a server-streaming method to its handler.</summary>
    public GrpcServiceDefinition AddServerStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Check(method.ServiceName, method.Type, MethodType.ServerStreaming);
        _handlers.Add(new ServerStreamingServerCallHandler<TRequest, TResponse>(method, handler) { Authorize = _authorize });
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
