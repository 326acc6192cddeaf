using Google.Protobuf;

namespace K8sCache.Protocol.Grpc;

/// <summary>
/// Describes one method of a service the way generated gRPC code does: its full name, its shape, and how to parse its
/// messages. Both the server (to route and parse requests) and the client (to build the request path) use it.
/// </summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    /// <summary>Creates a method descriptor.</summary>
    /// <param name="type">Unary or server streaming.</param>
    /// <param name="serviceName">The fully qualified service name, <c>package.Service</c>.</param>
    /// <param name="name">The method name as declared in the .proto file.</param>
    /// <param name="requestParser">Parser of the request message.</param>
    /// <param name="responseParser">Parser of the response message.</param>
    public GrpcMethod(
        MethodType type,
        string serviceName,
        string name,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        Path = "/" + serviceName + "/" + name;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>Unary or server streaming.</summary>
    public MethodType Type { get; }

    /// <summary>The fully qualified service name, <c>package.Service</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 <c>:path</c> of the method: <c>/package.Service/Method</c>.</summary>
    public string Path { get; }

    /// <summary>Parser of the request message.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parser of the response message.</summary>
    public MessageParser<TResponse> ResponseParser { get; }
}
