namespace K8sCache.Sidecar.Caching;

/// <summary>When a change of an entry's lifetime applies (Redis's <c>EXPIRE</c> options), checked by the key's owner
/// under the key's lock.</summary>
internal enum ExpireCondition
{
    Always,

    /// <summary>Only when the entry has no expiry (<c>NX</c>).</summary>
    IfNoExpiry,

    /// <summary>Only when the entry has an expiry (<c>XX</c>; <c>PERSIST</c>).</summary>
    IfExpiry,

    /// <summary>Only when the new expiry is later than the current one; no expiry counts as infinitely late (<c>GT</c>).</summary>
    IfLater,

    /// <summary>Only when the new expiry is earlier than the current one (<c>LT</c>).</summary>
    IfEarlier,
}
