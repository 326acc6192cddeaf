using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// The test server's storage, with the API's semantics: one global resourceVersion increasing on every write,
/// optimistic concurrency (a write naming an older resourceVersion is 409), uid and creationTimestamp on create,
/// generation bumped when anything but metadata and status changes, a bounded history of changes for watches (older
/// versions are 410 Gone, — see <see cref="RestartWatchCache"/>), and owner-reference garbage collection on delete
/// (synchronous here; the real collector is asynchronous). One lock guards everything: it is a test double.
/// <see cref="RestartWatchCache"/> forces 410 Gone for every client.
/// </summary>
public sealed partial class ObjectStore
{
    private const int HistoryLimit = 10_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (string Operation, HashSet<string> Fields)>> _managers = new(StringComparer.Ordinal);
    private readonly List<StoredEvent> _history = [];
    private readonly List<(ApiResource Resource, string? Namespace, Channel<StoredEvent> Channel)> _watchers = [];
    private long _resourceVersion = 100;
    private long _compactedThrough;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    public JsonObject? Get(ApiResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(Key(resource, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ApiResource resource, string? ns, Func<JsonObject, bool> filter)
    {
        lock (_lock)
        {
            var prefix = resource.Key + "|" + (ns is null ? string.Empty : ns + "|");
            var items = _objects.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal) && filter(p.Value))
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (JsonObject)p.Value.DeepClone()).ToList();
            return (items, _resourceVersion);
        }
    }

    private JsonObject Commit(ApiResource resource, string? ns, string? key, JsonObject obj, string type)
    {
        _resourceVersion++;
        if (key is not null)
        {
            obj["metadata"]!["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
            _objects[key] = obj;
        }
        else
        {
            obj["metadata"]!["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        }

        var change = new StoredEvent(_resourceVersion, resource, ns, type, (JsonObject)obj.DeepClone());
        _history.Add(change);
        if (_history.Count > HistoryLimit)
        {
            _compactedThrough = _history[0].ResourceVersion;
            _history.RemoveAt(0);
        }

        foreach (var (watchedResource, watchedNs, channel) in _watchers)
        {
            if (Matches(change, watchedResource, watchedNs))
            {
                channel.Writer.TryWrite(change);
            }
        }

        return (JsonObject)obj.DeepClone();
    }

    private static bool Matches(StoredEvent change, ApiResource resource, string? ns) =>
        change.Resource.Key == resource.Key && (ns is null || change.Namespace == ns);

    private static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static string Body(JsonObject o) => new JsonObject(o.Where(p => p.Key is not ("metadata" or "status")).Select(p =>
            new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))).ToJsonString();
        return Body(before) != Body(after);
    }

    private static bool Equal(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    private static long Generation(JsonObject metadata) => (long?)metadata["generation"] ?? 1;

    private static string Key(ApiResource resource, string? ns, string name) => $"{resource.Key}|{ns}|{name}";

    private string Now() => TimeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
