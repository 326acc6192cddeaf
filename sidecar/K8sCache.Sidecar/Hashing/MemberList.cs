namespace K8sCache.Sidecar.Hashing;

/// <summary>The one normal form of a member list: distinct addresses in ordinal order. Every node must derive the same
/// list from the same members, because the ring and its fingerprint are built from it.</summary>
internal static class MemberList
{
    /// <summary><paramref name="members"/>, plus <paramref name="self"/> when given, without duplicates, sorted.</summary>
    public static string[] Normalize(IEnumerable<string> members, string? self = null) =>
        (self is null ? members : members.Append(self)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
