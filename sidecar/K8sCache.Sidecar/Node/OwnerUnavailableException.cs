namespace K8sCache.Sidecar.Node;

/// <summary>A Set or Delete could not reach the key's owner, so nothing was written (HTTP 503, gRPC UNAVAILABLE).
/// Reads never raise it: they fall back to loading locally.</summary>
internal sealed class OwnerUnavailableException(string owner, Exception innerException)
    : Exception($"the owner of the key, {owner}, is unreachable: {innerException.Message}", innerException);
