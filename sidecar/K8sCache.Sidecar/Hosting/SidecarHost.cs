using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using K8sCache.Configuration;
using K8sCache.Metrics;
using K8sCache.Sidecar.Api;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Discovery;
using K8sCache.Sidecar.HandOver;
using K8sCache.Sidecar.Metrics;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.PubSub;
using K8sCache.Sidecar.Resp;
using K8sCache.Sidecar.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Builds one cache node's web host: four Kestrel endpoints (peer gRPC, HTTP API, gRPC API, admin), each chosen by
/// the port the request arrived on, and the background services (discovery, expiry sweep, configuration reload). The
/// gRPC services run on Grpc.AspNetCore with endpoint routing inside their own port's branch only, so the HTTP API's
/// requests never pass a router.
/// SIGTERM stops accepting connections, lets calls in flight finish within <c>ShutdownTimeout</c>, then exits.
/// </summary>
internal static class SidecarHost
{
    /// <summary>Open connections over all four endpoints; Kestrel closes further ones at once.</summary>
    public const int MaxConnections = 4096;

    /// <summary>Concurrent gRPC calls on one HTTP/2 connection (peer clients open more connections as they need).</summary>
    public const int MaxStreamsPerConnection = 256;

    /// <summary>The key under which ASP.NET Core's routing finds a WebApplication's own route table in a pipeline.</summary>
    private const string GlobalEndpointRouteBuilderKey = "__GlobalEndpointRouteBuilder";

    /// <summary>Reads the configuration (JSON file from <c>--config</c>, then environment, then command line).</summary>
    public static IConfigurationRoot ReadConfiguration(string[] args, out string? configPath)
    {
        configPath = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                configPath = Path.GetFullPath(args[++i]);
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                configPath = Path.GetFullPath(args[i]["--config=".Length..]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            builder.AddJsonFile(configPath, optional: false, reloadOnChange: false);
        }

        var switches = new Dictionary<string, string> { [Observability.LogFormatSwitch] = Observability.LogFormatKey };
        return builder.AddEnvironmentVariables().AddCommandLine(rest.ToArray(), switches).Build();
    }

    public static string ReadPeerToken(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([$"K8sCache:PeerTokenFile: cannot read '{path}': {e.Message}"]);
        }

        if (token.Length < 16)
        {
            throw new ConfigurationException([$"K8sCache:PeerTokenFile: the token in '{path}' is shorter than 16 characters."]);
        }

        return token;
    }

    public static WebApplication Build(
        SidecarOptions options, string peerToken, IConfigurationRoot configuration, string? configPath, Action<ILoggingBuilder>? logging = null)
    {
        // An empty builder: the sidecar reads only its own configuration (no appsettings.json, whose reload watcher
        // put an inotify watch on every directory under the working directory before the first request).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        Observability.ConfigureLogging(builder.Logging, configuration);
        logging?.Invoke(builder.Logging);
        Observability.AddOpenTelemetry(builder.Services);

        var peer = EndpointParser.ToListenEndpoint(options.PeerAddress);
        var api = EndpointParser.ToListenEndpoint(options.ApiAddress);
        var grpc = EndpointParser.ToListenEndpoint(options.GrpcAddress);
        var admin = EndpointParser.ToListenEndpoint(options.AdminAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(peer, l => l.Protocols = HttpProtocols.Http2);
            kestrel.Listen(api, l => l.Protocols = HttpProtocols.Http1);
            kestrel.Listen(grpc, l => l.Protocols = HttpProtocols.Http2);
            kestrel.Listen(admin, l => l.Protocols = HttpProtocols.Http1);

            // Bodies are limited per value by the API and per message by the gRPC layer, with errors naming the limit.
            kestrel.Limits.MaxRequestBodySize = null;

            // Caps against callers that open without end: connections, and streams per HTTP/2 connection (gRPC).
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.Http2.MaxStreamsPerConnection = MaxStreamsPerConnection;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownDelay + options.HandOverTimeout + options.ShutdownTimeout);

        var timeProvider = TimeProvider.System;
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton(sp => new PeerSet(
            options.Self,
            new PeerClientSettings(peerToken, options.PeerTimeout, options.Limits.MaxValueBytes, Defaults.PeerFailuresToMarkDown, Defaults.HotCopyLease),
            timeProvider,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.Peers")));
        builder.Services.AddSingleton<IHostedService>(sp => new PingService(sp.GetRequiredService<PeerSet>()));
        builder.Services.AddSingleton(sp => new HandOverSender(
            sp.GetRequiredService<CacheNode>(), sp.GetRequiredService<PeerSet>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.HandOver")));
        builder.Services.AddSingleton<IHostedService>(sp => new ShutdownDrain(
            sp.GetRequiredService<CacheNode>(), options.ShutdownDelay,
            async () =>
            {
                if (options.HandOverTimeout > TimeSpan.Zero)
                {
                    await sp.GetRequiredService<HandOverSender>().LeaveAsync(options.HandOverTimeout);
                }

                sp.GetRequiredService<PeerSet>().Leaving = true;
            },
            timeProvider));
        var tokens = new PeerTokens(peerToken, Defaults.PreviousTokenGrace, timeProvider);
        builder.Services.AddSingleton<IHostedService>(sp => new PeerTokenReloader(
            options.PeerTokenFile, tokens, sp.GetRequiredService<PeerSet>(), timeProvider, sp.GetRequiredService<ILoggerFactory>().CreateLogger<PeerTokenReloader>()));
        builder.Services.AddSingleton(sp => new CacheNode(
            options, sp.GetRequiredService<PeerSet>(), (group, limits) => LoaderFactory.Create(group, limits, options.Self), timeProvider, sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.Node"),
            new RespAtomicRunner()));
        builder.Services.AddSingleton<IHostedService>(sp =>
        {
            var node = sp.GetRequiredService<CacheNode>();
            return new MembershipService(sp.GetRequiredService<PeerSet>(), () => node.Options, timeProvider, sp.GetRequiredService<ILoggerFactory>().CreateLogger<MembershipService>());
        });
        builder.Services.AddSingleton<IHostedService>(sp => new ExpirySweeper(sp.GetRequiredService<CacheNode>(), timeProvider));
        if (configPath is not null)
        {
            builder.Services.AddSingleton<IHostedService>(sp => new ConfigurationReloader(
                configPath, configuration, sp.GetRequiredService<CacheNode>(), timeProvider, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ConfigurationReloader>()));
        }

        builder.Services.AddGrpc()
            .AddServiceOptions<CacheGrpcService>(o =>
            {
                o.MaxReceiveMessageSize = options.Limits.MaxValueBytes + 64 * 1024;
                // Localhost callers learn why a request failed, a message the library could not parse included.
                o.EnableDetailedErrors = true;
            })
            // The peer port's gate caps each method's message itself (PeerRequestGate), and follows reloaded limits.
            .AddServiceOptions<PeerGrpcService>(o => o.MaxReceiveMessageSize = null);
        // The library's own method providers (reflection over the generated code) give way to ours, one per service.
        builder.Services.RemoveAll(typeof(IServiceMethodProvider<>));
        BindDirectly(builder.Services, new PeerServiceMethods());
        BindDirectly(builder.Services, new CacheServiceMethods());
        builder.Services.AddSingleton(sp => new MessageBus(
            sp.GetRequiredService<PeerSet>(), () => sp.GetRequiredService<CacheNode>().Options.Resp, sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.PubSub")));
        builder.Services.AddSingleton(sp => new InvalidationFeed(sp.GetRequiredService<CacheNode>(), sp.GetRequiredService<MessageBus>().Subscriptions));
        builder.Services.AddSingleton(sp => new PeerGrpcService(sp.GetRequiredService<CacheNode>(), sp.GetRequiredService<PeerSet>(), sp.GetRequiredService<MessageBus>()));
        builder.Services.AddSingleton(sp => new CacheGrpcService(sp.GetRequiredService<CacheNode>(), sp.GetRequiredService<PeerSet>()));
        builder.Services.AddSingleton<RespStats>();
        if (options.RespAddress.Length > 0 || options.Resp.UnixSocket is not null)
        {
            // The Redis protocol on its own event loop, not Kestrel's transport (docs/design.md says why).
            builder.Services.AddSingleton<IHostedService>(sp => new RespServer(
                options.RespAddress, options.Resp.UnixSocket,
                new RespCommands(
                    sp.GetRequiredService<CacheNode>(), sp.GetRequiredService<PeerSet>(), sp.GetRequiredService<MessageBus>(), sp.GetRequiredService<RespStats>(),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.Resp")),
                sp.GetRequiredService<RespStats>(),
                () => sp.GetRequiredService<CacheNode>().Options.Resp,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("K8sCache.Resp")));
        }

        var app = builder.Build();
        // Start-up leaves megabytes of garbage (the gRPC library's service binding, DI's open generics, the type
        // loader under Native AOT) in regions the GC would keep committed until traffic filled them. One compacting,
        // decommitting collection once the ports listen returns them: the idle pod's RSS is its live heap.
        app.Lifetime.ApplicationStarted.Register(() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        var node = app.Services.GetRequiredService<CacheNode>();
        // The feed listens for changes from the start, before any client can subscribe.
        app.Services.GetRequiredService<InvalidationFeed>();
        var peers = app.Services.GetRequiredService<PeerSet>();
        var handOver = app.Services.GetRequiredService<HandOverSender>();
        peers.HandOver = options.HandOverTimeout > TimeSpan.Zero;
        if (peers.HandOver)
        {
            peers.RingChanged += handOver.OnRingChanged;
        }
        var metrics = new NodeMetrics(node, peers, app.Services.GetRequiredService<MessageBus>(), handOver.Stats);
        var exporter = new PrometheusTextExporter(metrics.Meter, SidecarInstruments.Meter);
        exporter.AddHistograms("k8scache_get_duration_seconds", SidecarInstruments.GetDuration.Description!,
            () => node.Groups.SelectMany(g => g.Latency.Series));
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            exporter.Dispose();
            metrics.Dispose();
            node.Dispose();
            peers.Dispose();
        });

        var gate = new PeerRequestGate(node, tokens);
        app.MapWhen(c => c.Connection.LocalPort == peer.Port, b =>
        {
            b.Use(gate.InvokeAsync);
            OwnRouting(b).UseEndpoints(e => e.MapGrpcService<PeerGrpcService>());
        });
        app.MapWhen(c => c.Connection.LocalPort == grpc.Port, b => OwnRouting(b).UseEndpoints(e => e.MapGrpcService<CacheGrpcService>()));
        var adminEndpoints = new AdminEndpoints(peers, node, exporter);
        app.MapWhen(c => c.Connection.LocalPort == admin.Port, b => b.Run(adminEndpoints.HandleAsync));
        app.Run(new HttpApi(node, peers).HandleAsync);
        return app;
    }

    /// <summary>Binds a gRPC service's methods without the library's reflection (<see cref="GrpcMethods"/>) and hands
    /// each call the service's one instance, a singleton registered beside.</summary>
    private static void BindDirectly<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TService>(IServiceCollection services, IServiceMethodProvider<TService> methods) where TService : class
    {
        services.AddSingleton(methods);
        services.AddSingleton<IGrpcServiceActivator<TService>>(sp => new SingletonServiceActivator<TService>(sp.GetRequiredService<TService>()));
    }

    /// <summary>Endpoint routing for one port's branch alone. A branch of a WebApplication would otherwise add its
    /// endpoints to the application's global route table, and the application would then route every request —
    /// the HTTP API's hits included — before the branches are chosen.</summary>
    private static IApplicationBuilder OwnRouting(IApplicationBuilder branch)
    {
        branch.Properties.Remove(GlobalEndpointRouteBuilderKey);
        return branch.UseRouting();
    }
}
