using System.Buffers;
using System.Buffers.Binary;
using Grpc.Core;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Api;

/// <summary>
/// What runs on the peer port before Grpc.AspNetCore sees a call, because the library checks neither in time: the
/// shared token, before a byte of the body is read (a caller without it cannot make this node buffer a large message),
/// and each method's message size from the gRPC length prefix — a key-only method accepts a key-sized message, Set a
/// key and a value — where the library knows one limit per service. A refusal is a trailers-only gRPC answer
/// (UNAUTHENTICATED or RESOURCE_EXHAUSTED); the body is never read.
/// </summary>
internal sealed class PeerRequestGate(CacheNode node, PeerTokens tokens)
{
    /// <summary>Room for the envelope around a key or a value: header, group name, field tags and lengths.</summary>
    public const int EnvelopeBytes = 4 * 1024;

    /// <summary>The 5-byte prefix of a gRPC message: a compression flag, then the length, big-endian.</summary>
    private const int PrefixBytes = 5;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!tokens.Accepts(authorization))
        {
            Refuse(context, StatusCode.Unauthenticated, authorization.Length == 0 ? "missing peer token (authorization: Bearer TOKEN)" : "wrong peer token");
            return;
        }

        var body = context.Request.BodyReader;
        var read = await body.ReadAtLeastAsync(PrefixBytes, context.RequestAborted);
        var length = MessageLength(read.Buffer);
        var limit = LimitOf(context.Request.Path);
        if (length > limit)
        {
            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            Refuse(context, StatusCode.ResourceExhausted, $"the {Method(context.Request.Path)} message is {length} bytes; this method accepts at most {limit}");
            return;
        }

        // Nothing consumed: the gRPC layer reads the message from its first byte.
        body.AdvanceTo(read.Buffer.Start);
        await next(context);
    }

    /// <summary>The first message's declared length; 0 when the body is too short to say (the gRPC layer refuses it).</summary>
    private static long MessageLength(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < PrefixBytes)
        {
            return 0;
        }

        Span<byte> prefix = stackalloc byte[PrefixBytes];
        buffer.Slice(0, PrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
    }

    private long LimitOf(PathString path) => Method(path) switch
    {
        "Set" => node.Validator.Limits.MaxValueBytes + KeyMessageBytes(),
        "Ping" => EnvelopeBytes,
        // Keys of a batch, each with a few bytes of field tag and length.
        "GetMany" => (long)node.Validator.Limits.MaxBatchKeys * (node.Validator.Limits.MaxKeyBytes + 8) + EnvelopeBytes,
        // A program is one Redis request, or a transaction's queued requests: bounded as the Redis endpoint bounds one.
        "Run" => node.Options.Resp.MaxRequestBytes + EnvelopeBytes,
        // A batch of published messages is cut at the sender's request limit (MessageBus): the same on every member.
        "Publish" => node.Options.Resp.MaxRequestBytes + EnvelopeBytes,
        // The first message of a hand-over only opens it; the batches after it are at most about 1 MiB or one entry.
        "HandOver" => Defaults.HandOverBatchBytes + node.Validator.Limits.MaxValueBytes + KeyMessageBytes(),
        _ => KeyMessageBytes(),
    };

    private int KeyMessageBytes() => node.Validator.Limits.MaxKeyBytes + EnvelopeBytes;

    private static string Method(PathString path)
    {
        var value = path.Value ?? string.Empty;
        return value[(value.LastIndexOf('/') + 1)..];
    }

    /// <summary>A trailers-only answer: the status in the response headers, no body.</summary>
    private static void Refuse(HttpContext context, StatusCode status, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }
}
