using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>SET's options: [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]. No lifetime means the
/// group's default TTL.</summary>
internal readonly record struct RespSetOptions(SetCondition Condition, bool ReturnPrevious, bool KeepTtl, long? TtlMs)
{
    public static RespSetOptions Parse(RespRequest request, int first, InputValidator validator)
    {
        var (condition, returnPrevious, keepTtl) = (SetCondition.Always, false, false);
        long? ttlMs = null;
        for (var i = first; i < request.Count; i++)
        {
            if (request.Is(i, "NX"u8) && condition == SetCondition.Always)
            {
                condition = SetCondition.IfAbsent;
            }
            else if (request.Is(i, "XX"u8) && condition == SetCondition.Always)
            {
                condition = SetCondition.IfPresent;
            }
            else if (request.Is(i, "GET"u8) && !returnPrevious)
            {
                returnPrevious = true;
            }
            else if (request.Is(i, "KEEPTTL"u8) && ttlMs is null && !keepTtl)
            {
                keepTtl = true;
            }
            else if (!keepTtl && ttlMs is null && RespArguments.TimeOption(request, i) is { } unit && i + 1 < request.Count)
            {
                ttlMs = RespArguments.LifetimeMs(request, ++i, unit, "set", validator);
            }
            else
            {
                throw RespSyntaxException.Syntax();
            }
        }

        return new RespSetOptions(condition, returnPrevious, keepTtl, ttlMs);
    }
}
