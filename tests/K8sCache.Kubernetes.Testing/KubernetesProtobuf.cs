using System.Text;
using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// Reads request bodies in Kubernetes' protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>) for the kinds
/// clients send that way here: Secrets and ConfigMaps, which Helm 4 writes as its release storage. The encoding is the
/// four-byte magic <c>k8s\0</c>, then a <c>runtime.Unknown</c> (1: TypeMeta{1: apiVersion, 2: kind}, 2: raw) whose raw
/// bytes are the object's own message (field numbers from k8s.io/api's generated.proto). Only the fields a create or
/// update can set are read; unknown fields are skipped, as protobuf readers do. Any other kind is refused with 415,
/// which makes a client fall back to JSON or fail visibly.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw new ApiException(Statuses.BadRequest("protobuf body does not start with the k8s magic"));
        }

        string apiVersion = string.Empty, kind = string.Empty;
        ReadOnlySpan<byte> raw = default;
        foreach (var field in Fields(body[Magic.Length..]))
        {
            switch (field.Number)
            {
                case 1:
                    foreach (var typeField in Fields(field.Bytes))
                    {
                        _ = typeField.Number switch { 1 => apiVersion = typeField.Text, 2 => kind = typeField.Text, _ => null };
                    }

                    break;
                case 2:
                    raw = field.Bytes;
                    break;
            }
        }

        var result = (apiVersion, kind) switch
        {
            ("v1", "Secret") => Secret(raw),
            ("v1", "ConfigMap") => ConfigMap(raw),
            _ => throw new ApiException(Statuses.UnsupportedMediaType($"protobuf bodies are served for v1 Secret and ConfigMap only (got {apiVersion} {kind}); send application/json")),
        };
        result["apiVersion"] = apiVersion;
        result["kind"] = kind;
        return result;
    }

    private static JsonObject Secret(ReadOnlySpan<byte> message)
    {
        var secret = new JsonObject();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: secret["metadata"] = Metadata(field.Bytes); break;
                case 2: AddEntry(secret, "data", field.Bytes, value => Convert.ToBase64String(value)); break;
                case 3: secret["type"] = field.Text; break;
                case 4: AddEntry(secret, "stringData", field.Bytes, value => Encoding.UTF8.GetString(value)); break;
                case 5: secret["immutable"] = field.Varint != 0; break;
            }
        }

        return secret;
    }

    private static JsonObject ConfigMap(ReadOnlySpan<byte> message)
    {
        var map = new JsonObject();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: map["metadata"] = Metadata(field.Bytes); break;
                case 2: AddEntry(map, "data", field.Bytes, value => Encoding.UTF8.GetString(value)); break;
                case 3: AddEntry(map, "binaryData", field.Bytes, value => Convert.ToBase64String(value)); break;
                case 4: map["immutable"] = field.Varint != 0; break;
            }
        }

        return map;
    }

    /// <summary>ObjectMeta: the fields a client sets. Timestamps, managedFields and status-like fields are the
    /// server's and left out.</summary>
    private static JsonObject Metadata(ReadOnlySpan<byte> message)
    {
        var metadata = new JsonObject();
        foreach (var field in Fields(message))
        {
            switch (field.Number)
            {
                case 1: metadata["name"] = field.Text; break;
                case 2: metadata["generateName"] = field.Text; break;
                case 3: metadata["namespace"] = field.Text; break;
                case 5: metadata["uid"] = field.Text; break;
                case 6: metadata["resourceVersion"] = field.Text; break;
                case 11: AddEntry(metadata, "labels", field.Bytes, value => Encoding.UTF8.GetString(value)); break;
                case 12: AddEntry(metadata, "annotations", field.Bytes, value => Encoding.UTF8.GetString(value)); break;
                case 14: (metadata["finalizers"] ??= new JsonArray()).AsArray().Add(field.Text); break;
            }
        }

        return metadata;
    }

    /// <summary>A protobuf map entry is a message {1: key, 2: value}.</summary>
    private static void AddEntry(JsonObject target, string property, ReadOnlySpan<byte> entry, Func<byte[], string> value)
    {
        string key = string.Empty;
        byte[] bytes = [];
        foreach (var field in Fields(entry))
        {
            _ = field.Number switch { 1 => key = field.Text, 2 => (object)(bytes = field.Bytes.ToArray()), _ => null };
        }

        ((target[property] ??= new JsonObject()).AsObject())[key] = value(bytes);
    }

    private static FieldEnumerator Fields(ReadOnlySpan<byte> message) => new(message);

    /// <summary>One field of a message: varint (wire type 0) or length-delimited (wire type 2); fixed-width fields are
    /// skipped by the enumerator.</summary>
    public readonly ref struct Field(int number, ulong varint, ReadOnlySpan<byte> bytes)
    {
        public int Number { get; } = number;

        public ulong Varint { get; } = varint;

        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public string Text => Encoding.UTF8.GetString(Bytes);
    }

    public ref struct FieldEnumerator(ReadOnlySpan<byte> message)
    {
        private ReadOnlySpan<byte> _rest = message;

        public Field Current { get; private set; }

        public readonly FieldEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_rest.IsEmpty)
            {
                var tag = ReadVarint(ref _rest);
                var number = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        Current = new Field(number, ReadVarint(ref _rest), default);
                        return true;
                    case 1:
                        Skip(ref _rest, 8);
                        break;
                    case 2:
                        var length = ReadVarint(ref _rest);
                        if (length > (ulong)_rest.Length)
                        {
                            throw new ApiException(Statuses.BadRequest("protobuf body is truncated"));
                        }

                        Current = new Field(number, 0, _rest[..(int)length]);
                        _rest = _rest[(int)length..];
                        return true;
                    case 5:
                        Skip(ref _rest, 4);
                        break;
                    default:
                        throw new ApiException(Statuses.BadRequest($"protobuf wire type {tag & 7} is not supported"));
                }
            }

            return false;
        }

        private static void Skip(ref ReadOnlySpan<byte> rest, int count)
        {
            if (rest.Length < count)
            {
                throw new ApiException(Statuses.BadRequest("protobuf body is truncated"));
            }

            rest = rest[count..];
        }

        private static ulong ReadVarint(ref ReadOnlySpan<byte> rest)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (rest.IsEmpty)
                {
                    throw new ApiException(Statuses.BadRequest("protobuf body is truncated"));
                }

                var b = rest[0];
                rest = rest[1..];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new ApiException(Statuses.BadRequest("protobuf varint is too long"));
        }
    }
}
