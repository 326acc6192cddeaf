using System.Text;
using System.Text.Unicode;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Redis keys name a group and a key: <c>GROUP:KEY</c> is key <c>KEY</c> of group <c>GROUP</c> (split at the first
/// <c>:</c>). With <c>Resp:DefaultGroup</c>, a key whose prefix is not a group name belongs, whole, to that group:
/// <c>scores:Tom</c> is <c>Tom</c> in <c>scores</c>, <c>user:42</c> is <c>user:42</c> in the default group.
/// </summary>
internal static class RespKeyName
{
    /// <summary>Group names are DNS labels: at most 63 ASCII characters.</summary>
    private const int MaxGroupName = 63;

    /// <summary>The group and key a Redis key names, admitted by the node's limits; throws <see cref="InputException"/>
    /// saying what is wrong.</summary>
    public static (Group Group, string Key) Resolve(CacheNode node, ReadOnlySpan<byte> raw, string? defaultGroup)
    {
        var group = ResolveGroup(node, raw, defaultGroup, out var key);
        var text = Encoding.UTF8.GetString(key);
        node.Validator.ValidateKey(text);
        return (group, text);
    }

    /// <summary>The group a Redis key names and the key's UTF-8 bytes, checked against the key limit and for valid
    /// UTF-8 before anything is decoded.</summary>
    public static Group ResolveGroup(CacheNode node, ReadOnlySpan<byte> raw, string? defaultGroup, out ReadOnlySpan<byte> key)
    {
        var colon = raw.IndexOf((byte)':');
        Group? group = null;
        key = raw;
        if (colon > 0 && colon <= MaxGroupName && Ascii.IsValid(raw[..colon]))
        {
            Span<char> name = stackalloc char[colon];
            Ascii.ToUtf16(raw[..colon], name, out _);
            if (node.TryGetGroup(name, out group))
            {
                key = raw[(colon + 1)..];
            }
        }

        group ??= defaultGroup is not null
            ? node.GetGroup(defaultGroup)
            : throw new InputException(InputErrorKind.InvalidArgument,
                $"the key names no group: use GROUP:KEY with one of {string.Join(", ", node.Groups.Select(g => g.Name).Order(StringComparer.Ordinal))}, or set Resp:DefaultGroup");

        if (key.Length > node.Validator.Limits.MaxKeyBytes)
        {
            throw new InputException(InputErrorKind.InvalidArgument, $"the key is {key.Length} bytes; the limit is MaxKeyBytes={node.Validator.Limits.MaxKeyBytes}");
        }

        if (!Utf8.IsValid(key))
        {
            throw new InputException(InputErrorKind.InvalidArgument, "the key is not UTF-8 text; keys are text, values may be any bytes");
        }

        return group;
    }
}
