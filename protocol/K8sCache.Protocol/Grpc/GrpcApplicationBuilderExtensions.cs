using K8sCache.Protocol.Grpc.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Protocol.Grpc;

/// <summary>Puts gRPC services on an ASP.NET Core pipeline.</summary>
public static class GrpcApplicationBuilderExtensions
{
    /// <summary>
    /// Ends the pipeline with a gRPC server for <paramref name="services"/>: every request reaching this point is
    /// treated as a gRPC call, so use it on a branch or an application whose endpoints speak HTTP/2 only (Kestrel
    /// cannot serve HTTP/1.1 and prior-knowledge HTTP/2 on one cleartext port). Unknown methods get UNIMPLEMENTED.
    /// </summary>
    public static IApplicationBuilder UseGrpcServices(
        this IApplicationBuilder app, GrpcServerOptions options, params GrpcServiceDefinition[] services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("K8sCache.Protocol.Grpc")
            ?? NullLogger.Instance;
        var dispatcher = new GrpcDispatcher(services, options, logger);
        app.Run(dispatcher.DispatchAsync);
        return app;
    }
}
