using k8s;
using k8s.Exceptions;
using K8sCache.Operator.Controller;
using K8sCache.Operator.Kubernetes;
using K8sCache.Configuration;
using K8sCache.Metrics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace K8sCache.Operator.Hosting;

/// <summary>
/// The operator process: configuration (environment <c>Operator__*</c>, flags <c>--Operator:*</c>), the Kubernetes
/// connection (<c>--kubeconfig</c>, <c>--context</c>, KUBECONFIG, ~/.kube/config or in-cluster: <see cref="ClusterConnection"/>), the runtime as a hosted service, and /metrics, /healthz
/// (the process serves and its controller loop is not stalled) and /readyz (connected; leading or standing by) on <c>MetricsAddress</c>. SIGTERM stops the
/// controller and releases the Lease so another replica takes over at once.
/// </summary>
internal static class OperatorHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (OtlpEnvironment.Configured(Environment.GetEnvironmentVariable))
        {
            // The SDK reads the other standard variables itself (service name, resource attributes, protocol).
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("k8scache-operator"))
                .WithTracing(t => t.AddSource(ReconcileTracing.SourceName, "System.Net.Http").AddOtlpExporter());
        }

        OperatorOptions options;
        KubernetesClientConfiguration config;
        try
        {
            options = OperatorOptionsReader.Read(builder.Configuration);
            // From the command line only: the host's configuration also holds the environment, where KUBECONFIG is a list.
            var flags = new ConfigurationBuilder().AddCommandLine(args).Build();
            config = ClusterConnection.Load(flags["kubeconfig"], flags["context"], Environment.GetEnvironmentVariable);
        }
        catch (Exception e) when (e is InvalidDataException or KubeConfigException or IOException or YamlDotNet.Core.YamlException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        var endpoint = EndpointParser.ToListenEndpoint(options.MetricsAddress);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        // The caches export to the operator's own collector, when it has one.
        options = options with
        {
            OtlpEndpoint = OtlpEnvironment.Endpoint(Environment.GetEnvironmentVariable),
            OtlpProtocol = Environment.GetEnvironmentVariable(OtlpEnvironment.ProtocolVariable),
        };
        using var runtime = new OperatorRuntime(config, options, TimeProvider.System, app.Services.GetRequiredService<ILoggerFactory>());
        using var exporter = new PrometheusTextExporter(runtime.Metrics.Meter);
        app.Run(context =>
        {
            var response = context.Response;
            switch (context.Request.Path.Value)
            {
                case "/healthz":
                    if (runtime.Unhealthy is { } why)
                    {
                        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                        return response.WriteAsync($"unhealthy: {why}\n", context.RequestAborted);
                    }

                    return response.WriteAsync("ok\n", context.RequestAborted);
                case "/readyz":
                    return response.WriteAsync(runtime.IsLeader ? "ready: leading\n" : "ready: standing by\n", context.RequestAborted);
                case "/metrics":
                    response.ContentType = PrometheusTextExporter.ContentType;
                    return response.WriteAsync(exporter.Collect(), context.RequestAborted);
                default:
                    response.StatusCode = StatusCodes.Status404NotFound;
                    return response.WriteAsync("not found; this port serves /healthz, /readyz and /metrics\n", context.RequestAborted);
            }
        });

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(app.Lifetime.ApplicationStopping);
        await app.StartAsync();
        var run = runtime.RunAsync(stopping.Token);
        await app.WaitForShutdownAsync();
        await stopping.CancelAsync();
        await run;
        return 0;
    }
}
