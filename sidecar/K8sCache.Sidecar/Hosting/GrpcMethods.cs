using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// The gRPC methods our services serve, built for Grpc.AspNetCore's method providers (<see cref="PeerServiceMethods"/>,
/// <see cref="CacheServiceMethods"/>) from the protobuf descriptor and the messages' parsers. The generated code holds
/// the same definitions privately and hands them over only through <c>BindService</c>, a generic virtual call per
/// method that Native AOT resolves by building each method at run time — a fifth of the sidecar's start. What must
/// stay true: each name exists in the descriptor with these request and response types and this streaming shape,
/// checked here, so a renamed or reshaped RPC fails the start instead of answering UNIMPLEMENTED.
/// </summary>
internal static class GrpcMethods
{
    /// <summary>Routing answers 405 to anything but POST, as the library's own method providers arrange.</summary>
    public static readonly IList<object> Metadata = Array.AsReadOnly<object>([new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)]);

    public static Method<TRequest, TResponse> Create<TRequest, TResponse>(ServiceDescriptor service, MethodType type, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = service.FindMethodByName(name)
            ?? throw new InvalidOperationException($"{service.FullName} has no method {name}.");
        var shape = ShapeOf(method);
        if (shape != type || method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new InvalidOperationException(
                $"{service.FullName}.{name} is {shape}({method.InputType.FullName}) returns {method.OutputType.FullName}, not {type}({typeof(TRequest).Name}) returns {typeof(TResponse).Name}.");
        }

        return new Method<TRequest, TResponse>(type, service.FullName, name, Marshal<TRequest>(), Marshal<TResponse>());
    }

    /// <summary>Whether the method streams its requests, its responses, both or neither, as the proto declares.</summary>
    public static MethodType ShapeOf(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (true, false) => MethodType.ClientStreaming,
        (false, true) => MethodType.ServerStreaming,
        _ => MethodType.DuplexStreaming,
    };

    /// <summary>Serializes into the transport's buffer writer and parses from its buffer, without an intermediate
    /// array, as the generated marshallers do.</summary>
    private static Marshaller<T> Marshal<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
    }
}
