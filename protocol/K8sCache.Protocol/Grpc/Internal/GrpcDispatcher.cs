using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace K8sCache.Protocol.Grpc.Internal;

/// <summary>
/// Routes a request to its method by <c>:path</c> after checking it is a gRPC request at all. Requests that are not
/// gRPC get a plain HTTP error (what grpc-dotnet answers); gRPC requests for unknown methods get UNIMPLEMENTED.
/// </summary>
internal sealed class GrpcDispatcher
{
    private readonly FrozenDictionary<string, ServerCallHandler> _handlers;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    public GrpcDispatcher(IEnumerable<GrpcServiceDefinition> services, GrpcServerOptions options, ILogger logger)
    {
        var handlers = new Dictionary<string, ServerCallHandler>(StringComparer.Ordinal);
        foreach (var handler in services.SelectMany(s => s.Handlers))
        {
            if (!handlers.TryAdd(handler.Path, handler))
            {
                throw new ArgumentException($"Method '{handler.Path}' is bound twice.", nameof(services));
            }
        }

        _handlers = handlers.ToFrozenDictionary(StringComparer.Ordinal);
        _options = options;
        _logger = logger;
    }

    public Task DispatchAsync(HttpContext http)
    {
        var request = http.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            return RefuseAsync(http, StatusCodes.Status426UpgradeRequired,
                $"gRPC needs HTTP/2; this request came as {request.Protocol}.");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return RefuseAsync(http, StatusCodes.Status405MethodNotAllowed, $"gRPC calls are POST requests, not {request.Method}.");
        }

        if (!IsGrpcContentType(request.ContentType))
        {
            return RefuseAsync(http, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not supported; expected '{GrpcProtocol.ContentType}'.");
        }

        if (!_handlers.TryGetValue(request.Path.Value ?? string.Empty, out var handler))
        {
            ServerCallHandler.WriteStatus(http, StatusCode.Unimplemented, $"Method '{request.Path}' is not implemented by this server.");
            return Task.CompletedTask;
        }

        // Message sizes are limited per message (MaxReceiveMessageSize), never per request body.
        var bodySize = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            bodySize.MaxRequestBodySize = null;
        }

        return handler.HandleAsync(http, _options, _logger);
    }

    /// <summary><c>application/grpc</c>, optionally <c>+proto</c> and parameters; other codecs (json) are refused.</summary>
    internal static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = contentType.AsSpan(GrpcProtocol.ContentType.Length);
        if (rest.StartsWith("+proto", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest["+proto".Length..];
        }

        return rest.IsEmpty || rest[0] == ';';
    }

    private Task RefuseAsync(HttpContext http, int httpStatus, string reason)
    {
        ServerLog.RequestRefused(_logger, httpStatus, reason);
        http.Response.StatusCode = httpStatus;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(reason + "\n", http.RequestAborted);
    }
}
