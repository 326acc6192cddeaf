namespace K8sCache.Protocol.Grpc;

/// <summary>Handles a unary call: one request, one response. Throw <see cref="RpcException"/> to answer with a status.</summary>
public delegate ValueTask<TResponse> UnaryServerMethod<in TRequest, TResponse>(TRequest request, ServerCallContext context);
