using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// The gRPC methods our services serve, built for Grpc.AspNetCore's method providers (<see cref="PeerServiceMethods"/>,
/// <see cref="CacheServiceMethods"/>) from their names and the messages' parsers. The generated code holds the same
/// definitions privately and hands them over only through <c>BindService</c>, a generic virtual call per method that
/// Native AOT resolves by building each method at run time — a fifth of the sidecar's start. Nor is the protobuf
/// descriptor read while starting: building it creates an accessor per field through reflection, a sixth of the start
/// once the rest was gone. What must stay true: each method matches the proto's name, request and response types and
/// streaming shape, which GrpcMethodsTests checks against the descriptor.
/// </summary>
internal static class GrpcMethods
{
    /// <summary>Routing answers 405 to anything but POST, as the library's own method providers arrange.</summary>
    public static readonly IList<object> Metadata = Array.AsReadOnly<object>([new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)]);

    public static Method<TRequest, TResponse> Create<TRequest, TResponse>(MethodType type, string service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(type, service, name, Marshal<TRequest>(), Marshal<TResponse>());

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
