namespace K8sCache.Configuration;

/// <summary>
/// What the standard OpenTelemetry variables ask of an exporter, read the same way by the sidecar and the operator: an
/// OTLP export is wanted when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or its traces or metrics form is set, unless
/// <c>OTEL_SDK_DISABLED</c> is true. The SDK reads the rest of the variables itself.
/// </summary>
public static class OtlpEnvironment
{
    /// <summary>The variable naming the collector for every signal.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The variable naming the protocol: <c>grpc</c> or <c>http/protobuf</c>.</summary>
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>True when the variables ask for an OTLP export.</summary>
    public static bool Configured(Func<string, string?> environment) =>
        !Disabled(environment)
        && new[] { EndpointVariable, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT" }
            .Any(name => !string.IsNullOrWhiteSpace(environment(name)));

    /// <summary>The collector for every signal, or null (none set, or the SDK disabled).</summary>
    public static string? Endpoint(Func<string, string?> environment) =>
        Disabled(environment) || string.IsNullOrWhiteSpace(environment(EndpointVariable)) ? null : environment(EndpointVariable);

    private static bool Disabled(Func<string, string?> environment) =>
        string.Equals(environment("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);
}
