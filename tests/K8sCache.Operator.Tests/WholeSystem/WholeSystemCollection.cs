namespace K8sCache.Operator.Tests.WholeSystem;

/// <summary>
/// The whole-system tests run one at a time and after every other test of this project: each brings up a cluster of
/// processes whose probes, back-offs and leases run in real time, and on a 2-core machine another test class's helm,
/// node or operator processes beside them would decide their timing, and so their verdict.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeSystemCollection
{
    public const string Name = "whole system";
}
