using System.Globalization;
using K8sCache.Configuration;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using Microsoft.AspNetCore.Http.Features;

namespace K8sCache.Sidecar.Api;

/// <summary>
/// The HTTP/1.1 API applications call on <c>ApiAddress</c>:
/// <c>GET|PUT|DELETE /v1/groups/{group}/keys/{key}</c> and <c>GET /v1/stats</c>. Values are raw bytes both ways.
/// GET answers 200 with the value (<c>X-Cache: hit|hot|peer|load</c>, <c>X-Cache-Ttl-Ms</c> when it expires),
/// 404 when absent (<c>X-Cache: miss</c>), 400 bad input, 404 with a message for an unknown group, 413 too large,
/// 502 loader failed, 503 not ready or owner unreachable (for writes).
/// </summary>
internal sealed class HttpApi(CacheNode node, PeerSet peers)
{
    private const string OctetStream = "application/octet-stream";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path == "/v1/stats")
        {
            await StatsWriter.WriteAsync(context, node, peers);
            return;
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? string.Empty;
        if (!KeyPath.TryParse(rawTarget, out var groupName, out var key))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "no such endpoint; use /v1/groups/{group}/keys/{key} or /v1/stats");
            return;
        }

        if (!peers.IsReady)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "not ready: the ring is not built yet");
            return;
        }

        try
        {
            var group = node.Admit(groupName, key);
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            {
                await GetAsync(context, group, key);
            }
            else if (HttpMethods.IsPut(request.Method))
            {
                await PutAsync(context, group, key);
            }
            else if (HttpMethods.IsDelete(request.Method))
            {
                await DeleteAsync(context, group, key);
            }
            else
            {
                context.Response.Headers.Allow = "GET, HEAD, PUT, DELETE";
                await ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, $"method {request.Method} is not allowed; use GET, PUT or DELETE");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && StatusMapping.ToHttpStatus(e) != StatusCodes.Status500InternalServerError)
        {
            await ErrorAsync(context, StatusMapping.ToHttpStatus(e), e.Message);
        }
    }

    private static async Task GetAsync(HttpContext context, Group group, string key)
    {
        var result = await group.GetAsync(key, context.RequestAborted);
        var response = context.Response;
        if (!result.Found)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.Headers["X-Cache"] = "miss";
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = OctetStream;
        response.ContentLength = result.Value.Length;
        response.Headers["X-Cache"] = SourceName(result.Source);
        if (result.RemainingMs > 0)
        {
            response.Headers["X-Cache-Ttl-Ms"] = result.RemainingMs.ToString(CultureInfo.InvariantCulture);
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(result.Value, context.RequestAborted);
        }
    }

    private async Task PutAsync(HttpContext context, Group group, string key)
    {
        var ttl = ReadTtl(context.Request);
        var value = await ReadBodyAsync(context.Request, node.Validator, context.RequestAborted);
        var result = await group.SetAsync(key, value, ttl, context.RequestAborted);
        WriteUnreachable(context.Response, result.UnreachablePeers);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task DeleteAsync(HttpContext context, Group group, string key)
    {
        var result = await group.DeleteAsync(key, context.RequestAborted);
        WriteUnreachable(context.Response, result.UnreachablePeers);
        context.Response.StatusCode = result.Existed ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound;
    }

    /// <summary><c>?ttl=</c> or the <c>X-Cache-Ttl</c> header: a duration (<c>30s</c>, <c>5m</c>) or whole seconds
    /// (<c>30</c>, as Redis' EX). None: the group's default.</summary>
    private static TimeSpan? ReadTtl(HttpRequest request)
    {
        var text = request.Query["ttl"].ToString();
        if (text.Length == 0)
        {
            text = request.Headers["X-Cache-Ttl"].ToString();
        }

        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return seconds > InputValidator.MaxTtl.TotalSeconds ? InputValidator.MaxTtl : TimeSpan.FromSeconds(seconds);
        }

        if (Duration.TryParse(text, out var ttl) && ttl > TimeSpan.Zero)
        {
            return InputValidator.ValidateTtl(ttl, text);
        }

        throw new InputException(InputErrorKind.InvalidArgument, $"ttl '{text}' is not a positive duration such as 30s, 5m or 1h, or whole seconds");
    }

    /// <summary>Reads the body, refusing with 413 as soon as it passes MaxValueBytes: a declared Content-Length above
    /// it is refused before reading anything.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, InputValidator validator, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            validator.ValidateValue(declared);
        }

        var limit = validator.Limits.MaxValueBytes;
        // Grow with what arrives, not with what is declared: a client that declares 1 MiB and stalls holds nothing.
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)Math.Min(length, 16 * 1024) : 256);
        var chunk = new byte[Math.Min(64 * 1024, limit + 1)];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            validator.ValidateValue(buffer.Length + read);
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static void WriteUnreachable(HttpResponse response, IReadOnlyList<string> unreachablePeers)
    {
        if (unreachablePeers.Count > 0)
        {
            response.Headers["X-Unreachable-Peers"] = string.Join(",", unreachablePeers);
        }
    }

    private static string SourceName(CacheSource source) => source switch
    {
        CacheSource.Hit => "hit",
        CacheSource.Hot => "hot",
        CacheSource.Peer => "peer",
        CacheSource.Load => "load",
        _ => "miss",
    };

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
