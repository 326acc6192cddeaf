using K8sCache.Configuration;
using K8sCache.Sidecar.Metrics;
using K8sCache.Sidecar.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Logs, traces and metrics as operators set them up elsewhere (docs/operations.md, "Monitoring"):
/// <list type="bullet">
/// <item>Logs: one line each, or JSON with <c>--log-format json</c> (the standard <c>Logging:Console:FormatterName</c>);
/// inside a traced request every line carries its trace and span ids.</item>
/// <item>Traces and metrics over OTLP with the OpenTelemetry SDK, on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or its
/// traces or metrics form) is set and <c>OTEL_SDK_DISABLED</c> is not true; the SDK reads the other standard variables
/// itself (<c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, …). Spans: the
/// sidecar's own, ASP.NET Core's server spans (which take the caller's <c>traceparent</c>) and HttpClient's client spans
/// (which send it to peers and loaders). Off, nothing listens to the sources and no span is ever created.</item>
/// </list>
/// </summary>
internal static class Observability
{
    /// <summary>The command-line switch for the log format (simple or json).</summary>
    public const string LogFormatSwitch = "--log-format";

    public const string LogFormatKey = "Logging:Console:FormatterName";

    private const string ServiceName = "k8scache-sidecar";

    public static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (string.Equals(configuration[LogFormatKey], "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        // Per-request logs of ASP.NET Core drown the cache's own events; "Logging" configuration can turn them back on.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // A start that fails (a taken port) is reported by Program as one line (StartupErrors); the host's own error
        // log of it is a stack trace. Critical stays: a background service that stops the host.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    public static void AddOpenTelemetry(IServiceCollection services)
    {
        if (!OtlpEnvironment.Configured(Environment.GetEnvironmentVariable))
        {
            return;
        }

        // Grpc.Net.Client's source too: the client starts its call's activity whenever one is current, between our
        // peer span and the HTTP request; unexported, it would leave that request's parent missing from the trace.
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t.AddSource(SidecarTracing.SourceName, "Microsoft.AspNetCore", "System.Net.Http", "Grpc.Net.Client")
                .SetSampler(new ParentBasedSampler(new UntracedCallsSampler()))
                .AddOtlpExporter())
            .WithMetrics(m => m.AddMeter(NodeMetrics.MeterName, SidecarInstruments.MeterName, SidecarInstruments.GetsMeterName).AddOtlpExporter());
    }
}
