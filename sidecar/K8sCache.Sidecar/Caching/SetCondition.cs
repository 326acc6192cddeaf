namespace K8sCache.Sidecar.Caching;

/// <summary>When a Set applies, checked by the key's owner under the key's lock (Redis's <c>NX</c> and <c>XX</c>).</summary>
internal enum SetCondition
{
    Always,

    /// <summary>Only when the owner does not hold the key.</summary>
    IfAbsent,

    /// <summary>Only when the owner holds the key.</summary>
    IfPresent,
}
