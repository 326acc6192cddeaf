namespace K8sCache.Sidecar.Loading;

/// <summary>A load failed: the origin answered with an error, timed out, or sent a value over the limit.</summary>
internal sealed class LoaderException(string message, Exception? innerException = null) : Exception(message, innerException);
