using k8s;
using K8sCache.Operator.Controller;
using K8sCache.Operator.Kubernetes;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Runtime;

namespace K8sCache.Operator.Hosting;

/// <summary>
/// One operator instance, free of the web host so tests can run two of them against one API server: the client, the
/// leader election and, while leading, the controller loop.
/// </summary>
internal sealed class OperatorRuntime : IDisposable
{
    private readonly OperatorOptions _options;
    private readonly ClusterApi _client;
    private readonly LeaderElector? _elector;
    private readonly CacheGroupController _controller;

    /// <summary>An instance on <paramref name="config"/>; <paramref name="handlers"/> go before the library's own HTTP
    /// handler (tests inject faults there).</summary>
    public OperatorRuntime(KubernetesClientConfiguration config, OperatorOptions options, TimeProvider timeProvider, ILoggerFactory loggers, params DelegatingHandler[] handlers)
    {
        _options = options;
        _client = new ClusterApi(config, handlers);
        var logger = loggers.CreateLogger("K8sCache.Operator");
        var events = new EventRecorder(_client, timeProvider, logger);
        var reconciler = new CacheGroupReconciler(_client, new RenderOptions
        {
            DefaultSidecarImage = options.SidecarImage,
            ClusterDomain = options.ClusterDomain,
            OtlpEndpoint = options.OtlpEndpoint,
            OtlpProtocol = options.OtlpProtocol,
        }, events, timeProvider, logger);
        Metrics = new OperatorMetrics(() => _controller!.QueueDepth, () => IsLeader);
        _controller = new CacheGroupController(_client, reconciler, options.WatchNamespaces, options.Workers, timeProvider, logger)
        {
            Metrics = Metrics,
            StallAfter = options.StallAfter,
        };
        if (options.LeaderElection)
        {
            _elector = new LeaderElector(_client, options.LeaseNamespace ?? _client.Namespace, options.LeaseName, options.Identity, timeProvider, logger)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
        }
    }

    public OperatorMetrics Metrics { get; }

    /// <summary>Why this instance is unhealthy (its controller loop stalled while leading), or null.</summary>
    public string? Unhealthy => IsLeader ? _controller.Stalled(_options.Workers) : null;

    /// <summary>True while this instance leads (always, without leader election).</summary>
    public bool IsLeader => _elector?.IsLeader ?? true;

    /// <summary>Write requests this instance sent to the API server (Lease writes included).</summary>
    public long Writes => _client.Writes;

    /// <summary>Reconciles this instance ran: only a leader runs any.</summary>
    public long Reconciles => _controller.Reconciles;

    public Task RunAsync(CancellationToken cancellationToken) =>
        _elector is null ? _controller.RunAsync(cancellationToken) : _elector.RunAsync(_controller.RunAsync, cancellationToken);

    public void Dispose()
    {
        Metrics.Dispose();
        _client.Dispose();
    }
}
