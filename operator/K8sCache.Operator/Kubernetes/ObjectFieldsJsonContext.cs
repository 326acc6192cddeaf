using System.Text.Json;
using System.Text.Json.Serialization;

namespace K8sCache.Operator.Kubernetes;

/// <summary>What the library's AOT serializer lacks: fields its models type as <c>object</c> (managedFields'
/// <c>fieldsV1</c>, custom objects) hold a <see cref="JsonElement"/> once read, and writing such an object back (a Lease
/// renewal is a read, a change and a replace) needs its metadata.</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ObjectFieldsJsonContext : JsonSerializerContext;
