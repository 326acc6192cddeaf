using K8sCache.Sidecar.Hashing;

namespace K8sCache.Sidecar.Discovery;

/// <summary>
/// Damps membership flaps: a member list that adds members is applied at once, one that drops members only when the
/// next resolution says the same. A DNS answer that is briefly empty or short (a resolver hiccup, a hosts file being
/// rewritten) would otherwise collapse the ring for a round and send keys to owners that do not have them.
/// </summary>
internal sealed class RemovalConfirmation
{
    private string[]? _pending;

    /// <summary>The list to apply now, or null to wait for confirmation.</summary>
    public IReadOnlyList<string>? Decide(IReadOnlyList<string> current, IReadOnlyList<string> resolved, string self)
    {
        var next = MemberList.Normalize(resolved, self);
        var drops = current.Except(next, StringComparer.Ordinal).Any();
        if (!drops)
        {
            _pending = null;
            return resolved;
        }

        if (_pending is not null && _pending.SequenceEqual(next, StringComparer.Ordinal))
        {
            _pending = null;
            return resolved;
        }

        _pending = next;
        return null;
    }
}
