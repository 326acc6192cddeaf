namespace K8sCache.Client;

/// <summary>The sidecar could not be reached, or the connection broke during the call (it may be restarting). A write
/// that fails this way may or may not have been applied.</summary>
public sealed class K8sCacheUnavailableException(string message, Exception? innerException = null)
    : K8sCacheException(message, innerException ?? new IOException(message));
