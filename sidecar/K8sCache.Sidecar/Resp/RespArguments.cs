using System.Buffers.Text;
using System.Globalization;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>How commands read their numbers and lifetimes, with Redis's error texts: shared by the endpoint and by the
/// owner's atomic programs, so a command means the same whichever runs it.</summary>
internal static class RespArguments
{
    public static long Integer(RespRequest request, int index) =>
        Utf8Parser.TryParse(request[index], out long value, out var consumed) && consumed == request[index].Length
            ? value
            : throw RespSyntaxException.NotAnInteger();

    public static double Float(RespRequest request, int index) =>
        double.TryParse(request[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new RespSyntaxException("ERR value is not a valid float");

    /// <summary>EXPIRE's options from <paramref name="first"/> on: NX, XX, GT or LT (repeating one is allowed, mixing
    /// them is not, as in Redis).</summary>
    public static ExpireCondition ExpireOption(RespRequest request, int first)
    {
        var condition = ExpireCondition.Always;
        for (var i = first; i < request.Count; i++)
        {
            var next = request.Is(i, "NX"u8) ? ExpireCondition.IfNoExpiry
                : request.Is(i, "XX"u8) ? ExpireCondition.IfExpiry
                : request.Is(i, "GT"u8) ? ExpireCondition.IfLater
                : request.Is(i, "LT"u8) ? ExpireCondition.IfEarlier
                : throw new RespSyntaxException($"ERR Unsupported option {request.Text(i)}");
            if (condition != ExpireCondition.Always && condition != next)
            {
                throw new RespSyntaxException("ERR NX and XX, GT or LT options at the same time are not compatible");
            }

            condition = next;
        }

        return condition;
    }

    /// <summary>EX, PX, EXAT, PXAT: milliseconds per unit, negative for the absolute forms.</summary>
    public static long? TimeOption(RespRequest request, int index) =>
        request.Is(index, "EX"u8) ? 1000 : request.Is(index, "PX"u8) ? 1 : request.Is(index, "EXAT"u8) ? -1000 : request.Is(index, "PXAT"u8) ? -1 : null;

    /// <summary>The lifetime SET and GETEX were given; Redis refuses zero and negative times. A time already past
    /// becomes the shortest lifetime, so the key is gone at once.</summary>
    public static long LifetimeMs(RespRequest request, int index, long unit, string command, InputValidator validator)
    {
        var time = Integer(request, index);
        if (time <= 0)
        {
            throw new RespSyntaxException($"ERR invalid expire time in '{command}' command");
        }

        var ttlMs = TtlFrom(time, Math.Abs(unit), absolute: unit < 0, command);
        return validator.ClampTtlMs(Math.Max(1, ttlMs));
    }

    public static long TtlFrom(long time, long unitMs, bool absolute, string command)
    {
        if (time > long.MaxValue / unitMs || time < long.MinValue / unitMs)
        {
            throw new RespSyntaxException($"ERR invalid expire time in '{command}' command");
        }

        var ms = time * unitMs;
        return absolute ? ms - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : ms;
    }
}
