namespace K8sCache.Client;

/// <summary>The sidecar refused or failed a call, and said why (an unknown group, a key or value over the limits, a
/// loader that failed). Not found is never an exception: it is a null result.</summary>
public class K8sCacheException : Exception
{
    /// <summary>A failure the sidecar described.</summary>
    public K8sCacheException(string message)
        : base(message)
    {
    }

    /// <summary>A failure with its cause.</summary>
    public K8sCacheException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
