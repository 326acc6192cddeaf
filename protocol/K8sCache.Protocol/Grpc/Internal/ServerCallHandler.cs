using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// The part of serving a call that does not depend on its shape: the deadline, and turning how the handler ended into
/// a gRPC status. A status is written as trailers when response messages were sent, otherwise as a trailers-only
/// response (the status in the only HEADERS frame, which ends the stream).
/// </summary>
internal abstract class ServerCallHandler
{
    public abstract string Path { get; }

    /// <summary>Checked before the request body is read: a caller that fails it costs no buffering. Null: none.</summary>
    internal Func<ServerCallContext, RpcException?>? Authorize { get; set; }

    /// <summary>This method's own limit on a request message, read per call (limits may be reloaded); null: the
    /// server's.</summary>
    internal Func<int>? MaxReceiveMessageSize { get; init; }

    public async Task HandleAsync(HttpContext http, GrpcServerOptions options, ILogger logger)
    {
        var timeoutHeader = http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        TimeSpan? timeout = null;
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var parsed))
            {
                WriteStatus(http, StatusCode.Internal, $"Invalid grpc-timeout header '{timeoutHeader}'.");
                return;
            }

            timeout = parsed <= GrpcProtocol.MaxDeadline ? parsed : null;
        }

        // Cancelled when the deadline passes; linked with RequestAborted so the handler sees one token for both.
        using var deadline = timeout is { } t ? new CancellationTokenSource(t, options.TimeProvider) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        var cancellationToken = linked?.Token ?? http.RequestAborted;
        var context = new ServerCallContext(
            http, Path, timeout is { } d ? options.TimeProvider.GetUtcNow() + d : null, cancellationToken);

        http.Response.ContentType = GrpcProtocol.ContentType;
        if (Authorize?.Invoke(context) is { } denied)
        {
            ServerLog.CallFailed(logger, Path, denied.StatusCode, denied.Detail);
            WriteStatus(http, denied.StatusCode, denied.Detail);
            return;
        }

        try
        {
            await InvokeAsync(http, context, MaxReceiveMessageSize?.Invoke() ?? options.MaxReceiveMessageSize);
            WriteStatus(http, StatusCode.OK, null);
        }
        catch (RpcException e)
        {
            ServerLog.CallFailed(logger, Path, e.StatusCode, e.Detail);
            WriteStatus(http, e.StatusCode, e.Detail);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !http.RequestAborted.IsCancellationRequested)
        {
            WriteStatus(http, StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller reset the stream or the connection dropped: nobody is left to read a status.
        }
        catch (Exception e)
        {
            ServerLog.HandlerFailed(logger, Path, e);
            WriteStatus(http, StatusCode.Unknown, "Exception was thrown by handler.");
        }
    }

    protected abstract Task InvokeAsync(HttpContext http, ServerCallContext context, int maxReceiveMessageSize);

    internal static void WriteStatus(HttpContext http, StatusCode statusCode, string? detail)
    {
        var response = http.Response;
        var code = ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!response.HasStarted)
        {
            // Trailers-only: no message was sent, the status travels in the response headers.
            response.ContentType = GrpcProtocol.ContentType;
            response.Headers[GrpcProtocol.StatusHeader] = code;
            if (!string.IsNullOrEmpty(detail))
            {
                response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(detail);
            }

            if (statusCode == StatusCode.Unimplemented)
            {
                response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
            }

            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, code);
        if (!string.IsNullOrEmpty(detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, PercentEncoding.Encode(detail));
        }
    }
}
