namespace K8sCache.Sidecar.Tests.Cluster;

/// <summary>Multi-process tests run one after another: each starts several sidecar processes, and a 2-core machine
/// gives better-behaved runs when those do not all start at once.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "sidecar processes";
}
