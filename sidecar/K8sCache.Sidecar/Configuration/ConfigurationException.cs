namespace K8sCache.Sidecar.Configuration;

/// <summary>The configuration is invalid; <see cref="Errors"/> names every problem with its key, one line each.</summary>
internal sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception(string.Join("\n", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
