using System.Text.Json.Serialization;

namespace K8sCache.Operator.Api;

/// <summary>Source-generated JSON for the typed models (trim- and AOT-safe), camelCase as the Kubernetes API writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheGroup))]
[JsonSerializable(typeof(CacheGroupStatus))]
[JsonSerializable(typeof(ObjectMeta))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
