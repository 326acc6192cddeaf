namespace K8sCache.Sidecar.Caching;

/// <summary>Whether an <see cref="ExpireCondition"/> lets a lifetime change apply: one rule for every path that
/// changes a held entry's expiry (the owner's Expire, the Redis endpoint's atomic programs).</summary>
internal static class ExpireConditions
{
    /// <param name="condition">The condition the caller gave (EXPIRE's NX, XX, GT, LT; PERSIST's "has one").</param>
    /// <param name="heldExpiresAtMs">The entry's expiry now; 0 is none.</param>
    /// <param name="nextExpiresAtMs">The expiry asked for; 0 is none. No expiry counts as infinitely late, as Redis's
    /// GT and LT do.</param>
    public static bool Allows(ExpireCondition condition, long heldExpiresAtMs, long nextExpiresAtMs)
    {
        var (current, wanted) = (heldExpiresAtMs == 0 ? long.MaxValue : heldExpiresAtMs, nextExpiresAtMs == 0 ? long.MaxValue : nextExpiresAtMs);
        return condition switch
        {
            ExpireCondition.IfNoExpiry => heldExpiresAtMs == 0,
            ExpireCondition.IfExpiry => heldExpiresAtMs != 0,
            ExpireCondition.IfLater => wanted > current,
            ExpireCondition.IfEarlier => wanted < current,
            _ => true,
        };
    }
}
