namespace K8sCache.Sidecar.Configuration;

/// <summary>The configuration is invalid; <see cref="Errors"/> names every problem with its key.</summary>
internal sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid K8sCache configuration:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
