using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Testing.Otlp;

/// <summary>
/// An OTLP/HTTP receiver on loopback, as a collector would be: <c>POST /v1/traces</c> with a protobuf
/// <c>ExportTraceServiceRequest</c> is decoded and its spans kept (with their resource's attributes);
/// <c>POST /v1/metrics</c> and <c>/v1/logs</c> are counted and accepted. Anything that does not decode is a 400, so a
/// broken exporter fails the test instead of passing unseen. Point an exporter at it with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT=Address</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private LoopbackWebServer? _server;
    private int _metricExports;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string Address => _server?.Address ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public int MetricExports => Volatile.Read(ref _metricExports);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        receiver._server = await LoopbackWebServer.StartAsync(HttpProtocols.Http1, app => app.Run(receiver.HandleAsync));
        return receiver;
    }

    /// <summary>Waits (bounded) until the spans received satisfy <paramref name="done"/>; exporters send in batches.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!done(Spans))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the spans awaited never arrived; received: " + string.Join(", ", Spans.Select(s => s.Name)));
            }

            await Task.Delay(100);
        }

        return Spans;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        switch (context.Request.Path.Value)
        {
            case "/v1/traces":
                ExportTraceServiceRequest request;
                try
                {
                    request = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
                }
                catch (Google.Protobuf.InvalidProtocolBufferException e)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsync(e.Message);
                    return;
                }

                foreach (var resourceSpans in request.ResourceSpans)
                {
                    var resource = Attributes(resourceSpans.Resource?.Attributes ?? []);
                    foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
                    {
                        _spans.Enqueue(new ReceivedSpan(
                            Convert.ToHexStringLower(span.TraceId.Span), Convert.ToHexStringLower(span.SpanId.Span),
                            Convert.ToHexStringLower(span.ParentSpanId.Span), span.Name, span.Kind, Attributes(span.Attributes), resource,
                            [.. span.Links.Select(l => (Convert.ToHexStringLower(l.TraceId.Span), Convert.ToHexStringLower(l.SpanId.Span)))],
                            span.Status?.Code ?? 0));
                    }
                }

                break;
            case "/v1/metrics":
                Interlocked.Increment(ref _metricExports);
                break;
            case "/v1/logs":
                break;
            default:
                context.Response.StatusCode = 404;
                return;
        }

        context.Response.ContentType = "application/x-protobuf";
    }

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.ToDictionary(a => a.Key, a => a.Value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => a.Value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => a.Value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => a.Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => a.Value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => string.Empty,
        }, StringComparer.Ordinal);
}
