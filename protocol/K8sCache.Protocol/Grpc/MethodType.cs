namespace K8sCache.Protocol.Grpc;

/// <summary>The call shapes the layer supports. Client- and bidirectional streaming are not implemented.</summary>
public enum MethodType
{
    /// <summary>One request message, one response message.</summary>
    Unary,
    /// <summary>One request message, any number of response messages.</summary>
    ServerStreaming,
}
