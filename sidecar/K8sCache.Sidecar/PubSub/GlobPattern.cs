namespace K8sCache.Sidecar.PubSub;

/// <summary>Redis's glob patterns (PSUBSCRIBE, SCAN's MATCH, KEYS): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a-z]</c> and <c>\x</c>
/// for a literal x, over bytes.</summary>
internal static class GlobPattern
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        // Iterative with one backtrack point: the last '*' and where the text stood when it was met.
        var (p, t, star, starText) = (0, 0, -1, 0);
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == (byte)'*')
            {
                (star, starText) = (p++, t);
                continue;
            }

            if (p < pattern.Length && MatchOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }

            if (star < 0)
            {
                return false;
            }

            p = star + 1;
            t = ++starText;
        }

        while (p < pattern.Length && pattern[p] == (byte)'*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Whether the pattern element at <paramref name="p"/> matches <paramref name="c"/>; on a match,
    /// <paramref name="p"/> moves past the element.</summary>
    private static bool MatchOne(ReadOnlySpan<byte> pattern, ref int p, byte c)
    {
        switch (pattern[p])
        {
            case (byte)'?':
                p++;
                return true;
            case (byte)'\\' when p + 1 < pattern.Length:
                if (pattern[p + 1] != c)
                {
                    return false;
                }

                p += 2;
                return true;
            case (byte)'[':
                return MatchClass(pattern, ref p, c);
            default:
                if (pattern[p] != c)
                {
                    return false;
                }

                p++;
                return true;
        }
    }

    private static bool MatchClass(ReadOnlySpan<byte> pattern, ref int p, byte c)
    {
        var i = p + 1;
        var negate = i < pattern.Length && pattern[i] == (byte)'^';
        i += negate ? 1 : 0;
        var matched = false;
        for (; i < pattern.Length && pattern[i] != (byte)']'; i++)
        {
            if (pattern[i] == (byte)'\\' && i + 1 < pattern.Length)
            {
                matched |= pattern[++i] == c;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-' && pattern[i + 2] != (byte)']')
            {
                var (low, high) = (Math.Min(pattern[i], pattern[i + 2]), Math.Max(pattern[i], pattern[i + 2]));
                matched |= c >= low && c <= high;
                i += 2;
            }
            else
            {
                matched |= pattern[i] == c;
            }
        }

        if (matched == negate)
        {
            return false;
        }

        p = Math.Min(i + 1, pattern.Length);
        return true;
    }
}
