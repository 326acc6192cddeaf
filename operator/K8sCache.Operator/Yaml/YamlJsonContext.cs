using System.Text.Json.Serialization;

namespace K8sCache.Operator.Yaml;

/// <summary>Source-generated JSON string escaping for the YAML writer's quoted scalars.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class YamlJsonContext : JsonSerializerContext;
