using System.Security.Cryptography;
using System.Text;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// The shared peer token as this node knows it: the current one, which every call it makes carries, and for
/// <c>grace</c> after a change the previous one, which it still accepts. When the operator replaces the token, the
/// kubelet rewrites each pod's token file at its own pace and the pods roll one by one: for a while some peers still
/// send the old token, and they must not be refused.
/// </summary>
internal sealed class PeerTokens(string current, TimeSpan grace, TimeProvider timeProvider)
{
    private volatile State _state = new(Bearer(current), current, null, 0);

    public string Current => _state.Token;

    /// <summary>Whether <paramref name="authorization"/> (the whole header value) carries the current token, or the
    /// previous one within its grace period. Constant-time in the token's bytes.</summary>
    public bool Accepts(string authorization)
    {
        var state = _state;
        var presented = Encoding.UTF8.GetBytes(authorization);
        var current = CryptographicOperations.FixedTimeEquals(presented, state.CurrentBearer);
        var previous = state.PreviousBearer is { } old && timeProvider.GetTimestamp() < state.PreviousUntil
            && CryptographicOperations.FixedTimeEquals(presented, old);
        return current | previous;
    }

    /// <summary>Makes <paramref name="next"/> current and keeps the current one acceptable for the grace period.
    /// False when it is the current token already.</summary>
    public bool Rotate(string next)
    {
        var state = _state;
        if (next == state.Token)
        {
            return false;
        }

        var until = timeProvider.GetTimestamp() + (long)(grace.TotalSeconds * timeProvider.TimestampFrequency);
        _state = new State(Bearer(next), next, state.CurrentBearer, until);
        return true;
    }

    private static byte[] Bearer(string token) => Encoding.UTF8.GetBytes("Bearer " + token);

    private sealed record State(byte[] CurrentBearer, string Token, byte[]? PreviousBearer, long PreviousUntil);
}
