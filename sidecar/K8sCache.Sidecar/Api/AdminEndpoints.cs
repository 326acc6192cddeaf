using K8sCache.Metrics;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Api;

/// <summary>What the kubelet and Prometheus call on <c>AdminAddress</c>: <c>/healthz</c> (the process serves),
/// <c>/readyz</c> (the ring is built: owners are known), <c>/metrics</c>.</summary>
internal sealed class AdminEndpoints(PeerSet peers, CacheNode node, PrometheusTextExporter exporter)
{
    public Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/healthz":
                response.ContentType = "text/plain";
                return response.WriteAsync("ok\n", context.RequestAborted);
            case "/readyz":
                response.ContentType = "text/plain";
                if (node.Draining)
                {
                    response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return response.WriteAsync("not ready: shutting down\n", context.RequestAborted);
                }

                if (!peers.IsReady)
                {
                    response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return response.WriteAsync("not ready: discovery has not produced a member list yet\n", context.RequestAborted);
                }

                return response.WriteAsync($"ready: ring version {peers.Ring.Version}, {peers.Ring.Members.Count} members\n", context.RequestAborted);
            case "/metrics":
                response.ContentType = PrometheusTextExporter.ContentType;
                return response.WriteAsync(exporter.Collect(), context.RequestAborted);
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return response.WriteAsync("not found; this port serves /healthz, /readyz and /metrics\n", context.RequestAborted);
        }
    }
}
