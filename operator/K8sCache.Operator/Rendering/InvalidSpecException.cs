namespace K8sCache.Operator.Rendering;

/// <summary>The CacheGroup's spec cannot be rendered (a field of the free-form pod template has the wrong type): the
/// message names the field. Nothing is applied; the CacheGroup is marked Degraded with reason InvalidSpec.</summary>
internal sealed class InvalidSpecException(string message) : Exception(message);
