using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Node;

/// <summary>How a Set applies on the owner: unconditionally (the HTTP and gRPC APIs), or as Redis's SET options ask —
/// only if the owner holds the key or only if it does not, keeping the key's lifetime, answering with the value
/// before. The owner checks all of it under the key's lock, so the check and the store are one step.</summary>
internal readonly record struct SetCommand(SetCondition Condition = SetCondition.Always, bool KeepTtl = false, bool ReturnPrevious = false);
