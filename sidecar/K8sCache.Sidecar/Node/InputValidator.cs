using System.Text;
using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Node;

/// <summary>The limits every entry point enforces (HTTP, gRPC, peers), with messages that name the limit.</summary>
internal sealed class InputValidator(LimitsOptions limits)
{
    public LimitsOptions Limits { get; } = limits;

    /// <summary>The longest TTL kept; longer ones are clamped to it (a TTL of a century must not overflow a clock).</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);

    public void ValidateKey(ReadOnlySpan<char> key)
    {
        if (key.Length == 0)
        {
            throw new InputException(InputErrorKind.InvalidArgument, "the key is empty");
        }

        // A loader URL substitutes the key into its path: "." and ".." would be read as path segments and walk it.
        if (key is "." or "..")
        {
            throw new InputException(InputErrorKind.InvalidArgument, $"the key '{key.ToString()}' is a relative path segment, which loader URLs cannot carry");
        }

        // UTF-16 length bounds the UTF-8 length from below: count bytes only when it might exceed the limit.
        if (key.Length > Limits.MaxKeyBytes / 3)
        {
            var bytes = Encoding.UTF8.GetByteCount(key);
            if (bytes > Limits.MaxKeyBytes)
            {
                throw new InputException(InputErrorKind.InvalidArgument,
                    $"the key is {bytes} bytes; the limit is MaxKeyBytes={Limits.MaxKeyBytes}");
            }
        }
    }

    public void ValidateValue(long length)
    {
        if (length > Limits.MaxValueBytes)
        {
            throw new InputException(InputErrorKind.TooLarge,
                $"the value is {length} bytes; the limit is MaxValueBytes={Limits.MaxValueBytes}");
        }
    }

    public void ValidateTtlMs(long ttlMs)
    {
        if (ttlMs < 0)
        {
            throw new InputException(InputErrorKind.InvalidArgument, $"the ttl is negative ({ttlMs} ms)");
        }
    }

    /// <summary>A TTL as given by an application: positive, at least 1 ms once rounded (a TTL that rounds to zero
    /// would mean "never expires"), clamped to <see cref="MaxTtl"/>.</summary>
    public static TimeSpan ValidateTtl(TimeSpan ttl, string text)
    {
        if (ttl < TimeSpan.FromMilliseconds(1))
        {
            throw new InputException(InputErrorKind.InvalidArgument, $"ttl '{text}' is shorter than 1 ms; the smallest TTL is 1ms");
        }

        return ttl > MaxTtl ? MaxTtl : ttl;
    }

    /// <summary>A wire TTL in milliseconds, clamped to <see cref="MaxTtl"/> (0 stays "none").</summary>
    public long ClampTtlMs(long ttlMs) => Math.Min(ttlMs, (long)MaxTtl.TotalMilliseconds);

    public void ValidateBatch(int count)
    {
        if (count > Limits.MaxBatchKeys)
        {
            throw new InputException(InputErrorKind.InvalidArgument,
                $"the batch has {count} keys; the limit is MaxBatchKeys={Limits.MaxBatchKeys}");
        }
    }
}
