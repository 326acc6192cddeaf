using System.Text;
using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Node;

/// <summary>The limits every entry point enforces (HTTP, gRPC, peers), with messages that name the limit.</summary>
internal sealed class InputValidator(LimitsOptions limits)
{
    public LimitsOptions Limits { get; } = limits;

    public void ValidateKey(string key)
    {
        if (key.Length == 0)
        {
            throw new InputException(InputErrorKind.InvalidArgument, "the key is empty");
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

    public void ValidateBatch(int count)
    {
        if (count > Limits.MaxBatchKeys)
        {
            throw new InputException(InputErrorKind.InvalidArgument,
                $"the batch has {count} keys; the limit is MaxBatchKeys={Limits.MaxBatchKeys}");
        }
    }
}
