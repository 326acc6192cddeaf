namespace K8sCache.Configuration.Tests;

public class OtlpEnvironmentTests
{
    [Fact]
    public void AnyEndpointVariable_AsksForAnExport_UnlessTheSdkIsDisabled_AndOnlyTheGeneralOneIsPassedOn()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] set) => name => set.FirstOrDefault(v => v.Name == name).Value;

        Assert.False(OtlpEnvironment.Configured(Env()));
        Assert.True(OtlpEnvironment.Configured(Env(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces"))));
        Assert.Null(OtlpEnvironment.Endpoint(Env(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces"))));
        Assert.Equal("http://c:4317", OtlpEnvironment.Endpoint(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"))));
        Assert.False(OtlpEnvironment.Configured(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OTEL_SDK_DISABLED", "TRUE"))));
        Assert.Null(OtlpEnvironment.Endpoint(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OTEL_SDK_DISABLED", "true"))));
        Assert.False(OtlpEnvironment.Configured(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "  "))));
    }
}
