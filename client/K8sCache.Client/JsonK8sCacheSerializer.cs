using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace K8sCache.Client;

/// <summary>System.Text.Json through the type information of the options' resolver: a source-generated
/// <c>JsonSerializerContext</c> (set it as <c>K8sCacheOptions.JsonSerializerOptions.TypeInfoResolver</c>), so no
/// reflection is needed and trimmed and Native AOT applications work. Without a resolver a typed call says so.</summary>
public sealed class JsonK8sCacheSerializer(JsonSerializerOptions options) : IK8sCacheSerializer
{
    /// <inheritdoc/>
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlySpan<byte> bytes) => JsonSerializer.Deserialize(bytes, TypeInfo<T>())!;

    private JsonTypeInfo<T> TypeInfo<T>()
    {
        if (options.TypeInfoResolver is null)
        {
            throw new InvalidOperationException(
                $"no JSON type information for {typeof(T)}: set K8sCacheOptions.JsonSerializerOptions.TypeInfoResolver to a source-generated JsonSerializerContext that includes it");
        }

        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
