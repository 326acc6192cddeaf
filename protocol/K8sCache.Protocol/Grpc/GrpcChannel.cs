using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using K8sCache.Protocol.Grpc.Internal;

namespace K8sCache.Protocol.Grpc;

/// <summary>
/// A client connection pool to one gRPC server, speaking HTTP/2 with prior knowledge over <c>http://</c>. Create one
/// per target and share it: calls are multiplexed over its connections, and a new connection opens when the server's
/// stream limit is reached. Every failed call throws <see cref="RpcException"/>; a call cancelled through its
/// <see cref="CancellationToken"/> throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        _invoker = new HttpMessageInvoker(options.HttpHandler ?? CreateHandler(options), disposeHandler: true);
    }

    /// <summary>The server's address, <c>http://host:port</c>.</summary>
    public Uri Address { get; }

    internal GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker => _invoker;

    /// <summary>Creates a channel to <paramref name="address"/> (<c>http://host:port</c>; TLS is not supported).</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var uri = new Uri(address, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"Only http:// addresses are supported (h2c with prior knowledge), not '{address}'.", nameof(address));
        }

        return new GrpcChannel(uri, options ?? new GrpcChannelOptions());
    }

    /// <summary>Calls a unary method and returns its response.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        using var call = new ClientCall<TRequest, TResponse>(this, method, options, cancellationToken);
        await call.StartAsync(request);
        var response = await call.ReadMessageAsync();
        if (response is null)
        {
            call.ThrowIfStatusNotOk();
            throw new RpcException(StatusCode.Internal, "Failed to deserialize response message: the server sent no message.");
        }

        if (await call.ReadMessageAsync() is not null)
        {
            throw new RpcException(StatusCode.Internal, "The server sent more than one message for a unary call.");
        }

        call.ThrowIfStatusNotOk();
        return response;
    }

    /// <summary>Calls a server-streaming method; the returned sequence yields the responses as they arrive and throws
    /// <see cref="RpcException"/> when the call ends with a status other than OK.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        CallOptions options = default,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        using var call = new ClientCall<TRequest, TResponse>(this, method, options, cancellationToken);
        await call.StartAsync(request);
        while (await call.ReadMessageAsync() is { } response)
        {
            yield return response;
        }

        call.ThrowIfStatusNotOk();
    }

    /// <summary>Closes the channel's connections; calls in flight fail.</summary>
    public void Dispose() => _invoker.Dispose();

    internal Uri GetMethodUri(string path) => _methodUris.GetOrAdd(path, static (p, address) => new Uri(address, p), Address);

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options) => new()
    {
        // More than one connection when a connection's concurrent-stream limit is reached.
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = options.ConnectTimeout,
        KeepAlivePingDelay = options.KeepAlivePingDelay,
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
    };
}
