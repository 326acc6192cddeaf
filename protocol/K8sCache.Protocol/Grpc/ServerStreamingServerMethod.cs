namespace K8sCache.Protocol.Grpc;

/// <summary>Handles a server-streaming call: writes any number of responses, then returns (status OK) or throws
/// <see cref="RpcException"/>.</summary>
public delegate Task ServerStreamingServerMethod<in TRequest, out TResponse>(
    TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);
