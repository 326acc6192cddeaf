using System.Diagnostics;

namespace K8sCache.Operator.Controller;

/// <summary>The operator's spans: one per reconcile (<c>k8scache.reconcile</c>) with the CacheGroup's namespace, name
/// and result. Nothing is created unless a tracer listens (OTLP configured).</summary>
internal static class ReconcileTracing
{
    public const string SourceName = "K8sCache.Operator";

    public static ActivitySource Source { get; } = new(SourceName, "1.0");
}
