namespace K8sCache.Sidecar.Loading;

/// <summary>A load failed: the origin answered with an error, timed out, or sent a value over the limit.</summary>
internal sealed class LoaderException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The loader could not be reached at all (nothing listens: the pod's application has stopped before its
    /// sidecar, as during a pod's termination), so the origin was never asked. An owner answers a peer with this as a
    /// failing owner, not as a failed load, and the peer loads through its own loader instead.</summary>
    public bool Unreachable { get; init; }
}
