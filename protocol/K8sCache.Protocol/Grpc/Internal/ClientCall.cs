using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// One client call in flight: sends the request, validates the response headers, reads framed messages, and turns the
/// final status (trailers, or the headers of a trailers-only response) into success or <see cref="RpcException"/>.
/// Every failure is mapped here, so the channel's methods stay free of exception handling.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IDisposable
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource? _linked;
    private readonly byte[] _header = new byte[GrpcProtocol.HeaderSize];
    private HttpResponseMessage? _response;
    private Stream? _body;
    private HttpHeaders? _statusHeaders;

    public ClientCall(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method, CallOptions options, CancellationToken cancellationToken)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _callerToken = cancellationToken;
        // A timeout beyond GrpcProtocol.MaxDeadline gets no local timer; the header still carries it.
        if (options.Timeout is { } timeout && timeout <= GrpcProtocol.MaxDeadline)
        {
            _deadline = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, channel.Options.TimeProvider);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        }
    }

    private CancellationToken Token => _linked?.Token ?? _callerToken;

    public async Task StartAsync(TRequest request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_method.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new GrpcRequestContent(request),
        };
        var headers = message.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        headers.TryAddWithoutValidation("User-Agent", GrpcProtocol.UserAgent);
        if (_options.Timeout is { } timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
        }

        AddHeaders(headers, _channel.Options.DefaultHeaders);
        AddHeaders(headers, _options.Headers);

        try
        {
            Token.ThrowIfCancellationRequested();
            _response = await _channel.Invoker.SendAsync(message, Token);
            CheckResponseHeaders(_response);
            _body = await _response.Content.ReadAsStreamAsync(Token);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e);
        }
    }

    /// <summary>Reads the next message; null at the end of the stream (the status is then known).</summary>
    public async ValueTask<TResponse?> ReadMessageAsync()
    {
        if (_body is null)
        {
            return default;
        }

        try
        {
            var read = await _body.ReadAtLeastAsync(_header, GrpcProtocol.HeaderSize, throwOnEndOfStream: false, Token);
            if (read == 0)
            {
                _statusHeaders = _response!.TrailingHeaders;
                return default;
            }

            if (read < GrpcProtocol.HeaderSize)
            {
                throw new RpcException(StatusCode.Internal, "The response ended inside a message prefix.");
            }

            var length = MessageFraming.ReadHeader(_header, _channel.Options.MaxReceiveMessageSize, "response");
            var payload = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var got = await _body.ReadAtLeastAsync(payload.AsMemory(0, length), length, throwOnEndOfStream: false, Token);
                if (got < length)
                {
                    throw new RpcException(StatusCode.Internal, $"The response ended inside a message: {got} of {length} bytes.");
                }

                return Parse(payload.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e);
        }
    }

    /// <summary>Throws the call's final status unless it is OK. A response that ended with no status is INTERNAL.</summary>
    public void ThrowIfStatusNotOk()
    {
        var headers = _statusHeaders ?? _response?.TrailingHeaders;
        if (headers is null || !headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            throw new RpcException(StatusCode.Internal, "The response ended without a grpc-status.");
        }

        var statusCode = ParseStatus(values.FirstOrDefault());
        if (statusCode != StatusCode.OK)
        {
            throw new RpcException(statusCode, ReadMessage(headers));
        }
    }

    public void Dispose()
    {
        // Disposing a response that was not read to the end resets the stream (RST_STREAM CANCEL), as cancellation must.
        _body?.Dispose();
        _response?.Dispose();
        _linked?.Dispose();
        _deadline?.Dispose();
    }

    private void CheckResponseHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(HttpStatusMapping.ToStatusCode(response.StatusCode),
                $"Bad gRPC response. HTTP status code: {(int)response.StatusCode} ({response.StatusCode}).");
        }

        if (response.Headers.Contains(GrpcProtocol.StatusHeader))
        {
            // Trailers-only: the status is in the headers and no message follows.
            _statusHeaders = response.Headers;
            ThrowIfStatusNotOk();
            return;
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (contentType is null || !contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'.");
        }
    }

    private TResponse Parse(ReadOnlySpan<byte> payload)
    {
        try
        {
            return _method.ResponseParser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize response message: {e.Message}");
        }
    }

    private Exception Map(Exception e)
    {
        if (_callerToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The call was cancelled by the caller.", e, _callerToken);
        }

        if (_deadline?.IsCancellationRequested == true)
        {
            return new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded", e);
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocol)
            {
                return new RpcException(HttpStatusMapping.FromHttp2ErrorCode(protocol.ErrorCode),
                    $"The stream was reset by the server (HTTP/2 error code {protocol.ErrorCode}).", e);
            }
        }

        return e switch
        {
            HttpRequestException => new RpcException(StatusCode.Unavailable, $"Error connecting to {_channel.Address}: {e.Message}", e),
            IOException => new RpcException(StatusCode.Unavailable, $"Error reading the response from {_channel.Address}: {e.Message}", e),
            _ => e,
        };
    }

    private static void AddHeaders(HttpRequestHeaders headers, IReadOnlyList<KeyValuePair<string, string>>? extra)
    {
        if (extra is null)
        {
            return;
        }

        foreach (var (name, value) in extra)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    private static StatusCode ParseStatus(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? (StatusCode)code
            : StatusCode.Unknown;

    private static string ReadMessage(HttpHeaders headers) =>
        headers.TryGetValues(GrpcProtocol.MessageHeader, out var values) && values.FirstOrDefault() is { } message
            ? PercentEncoding.Decode(message)
            : string.Empty;
}
