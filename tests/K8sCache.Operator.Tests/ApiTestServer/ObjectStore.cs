using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace K8sCache.Operator.Tests.ApiTestServer;

/// <summary>
/// The test server's storage, with the API's semantics: one global resourceVersion increasing on every write,
/// optimistic concurrency (a write naming an older resourceVersion is 409), uid and creationTimestamp on create,
/// generation bumped when anything but metadata and status changes, a bounded history of changes for watches (older
/// versions are 410 Gone, — see <see cref="RestartWatchCache"/>), and owner-reference garbage collection on delete
/// (synchronous here; the real collector is asynchronous). One lock guards everything: it is a test double.
/// <see cref="RestartWatchCache"/> forces 410 Gone for every client.
/// </summary>
public sealed class ObjectStore
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

    /// <summary>Creates; <paramref name="manager"/> owns every field it set.</summary>
    public JsonObject Create(ApiResource resource, string? ns, JsonObject obj, string manager, string operation = "Update")
    {
        lock (_lock)
        {
            var name = (string?)obj["metadata"]?["name"] ?? throw new ApiException(Statuses.BadRequest("metadata.name: Required value"));
            var key = Key(resource, ns, name);
            if (_objects.ContainsKey(key))
            {
                throw new ApiException(Statuses.AlreadyExists(resource, name));
            }

            var metadata = obj["metadata"]!.AsObject();
            if (ns is not null)
            {
                metadata["namespace"] = ns;
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            metadata["generation"] = 1L;
            obj["apiVersion"] = resource.ApiVersion;
            obj["kind"] = resource.Kind;
            _managers[key] = new(StringComparer.Ordinal) { [manager] = (operation, FieldPaths.Leaves(obj)) };
            return Commit(resource, ns, key, obj, "ADDED");
        }
    }

    /// <summary>Replaces the object as <paramref name="manager"/> wrote it. With <paramref name="statusOnly"/> only .status
    /// changes; otherwise .status is kept when the resource has a status subresource.</summary>
    public JsonObject Update(ApiResource resource, string? ns, string name, JsonObject obj, string manager, bool statusOnly = false, string operation = "Update")
    {
        lock (_lock)
        {
            var key = Key(resource, ns, name);
            if (!_objects.TryGetValue(key, out var live))
            {
                throw new ApiException(Statuses.NotFound(resource, name));
            }

            var sentVersion = (string?)obj["metadata"]?["resourceVersion"];
            if (!string.IsNullOrEmpty(sentVersion) && sentVersion != (string?)live["metadata"]!["resourceVersion"])
            {
                throw new ApiException(Statuses.Conflict(resource, name));
            }

            var next = (JsonObject)live.DeepClone();
            if (statusOnly)
            {
                next["status"] = obj["status"]?.DeepClone();
            }
            else
            {
                foreach (var (field, value) in obj)
                {
                    if (field is not ("metadata" or "status" or "apiVersion" or "kind") || (field == "status" && !resource.HasStatusSubresource))
                    {
                        next[field] = value?.DeepClone();
                    }
                }

                foreach (var field in next.Select(p => p.Key).Where(f => f is not ("metadata" or "status" or "apiVersion" or "kind") && !obj.ContainsKey(f)).ToArray())
                {
                    next.Remove(field);
                }

                var metadata = next["metadata"]!.AsObject();
                foreach (var field in new[] { "labels", "annotations", "ownerReferences", "finalizers" })
                {
                    metadata[field] = obj["metadata"]?[field]?.DeepClone();
                    if (metadata[field] is null)
                    {
                        metadata.Remove(field);
                    }
                }

                if (SpecChanged(live, next))
                {
                    metadata["generation"] = Generation(metadata) + 1;
                }
            }

            Claim(key, manager, operation, live, next);
            return Commit(resource, ns, key, next, "MODIFIED");
        }
    }

    /// <summary>Server-side apply: <paramref name="applied"/> is <paramref name="manager"/>'s whole intent. Fields it
    /// applied before and omits now are removed unless another manager also owns them; a field another manager owns
    /// with a different value is a conflict unless <paramref name="force"/>.</summary>
    public JsonObject Apply(ApiResource resource, string? ns, string name, JsonObject applied, string manager, bool force)
    {
        lock (_lock)
        {
            var key = Key(resource, ns, name);
            if (!_objects.TryGetValue(key, out var live))
            {
                return Create(resource, ns, applied, manager, "Apply");
            }

            var owners = _managers.GetValueOrDefault(key) ?? new(StringComparer.Ordinal);
            var fields = FieldPaths.Leaves(applied);
            var conflicts = new List<(string Manager, string Field)>();
            foreach (var field in fields)
            {
                foreach (var (other, owned) in owners.Where(o => o.Key != manager))
                {
                    if (owned.Fields.Contains(field) && !Equal(FieldPaths.Get(live, field), FieldPaths.Get(applied, field)))
                    {
                        conflicts.Add((other, field));
                    }
                }
            }

            if (conflicts.Count > 0 && !force)
            {
                var list = string.Join("\n", conflicts.Select(c => $"- conflict with \"{c.Manager}\": {FieldPaths.Display(c.Field)}"));
                throw new ApiException(Statuses.Conflict(resource, name, $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}:\n{list}"));
            }

            var next = (JsonObject)live.DeepClone();
            var previous = owners.TryGetValue(manager, out var mine) ? mine.Fields : [];
            foreach (var removed in previous.Except(fields))
            {
                if (!owners.Any(o => o.Key != manager && o.Value.Fields.Contains(removed)))
                {
                    FieldPaths.Remove(next, removed);
                }
            }

            foreach (var field in fields)
            {
                if (!(resource.HasStatusSubresource && field.StartsWith("status", StringComparison.Ordinal)))
                {
                    FieldPaths.Set(next, field, FieldPaths.Get(applied, field));
                }
            }

            foreach (var (_, owned) in owners.Where(o => o.Key != manager))
            {
                owned.Fields.ExceptWith(fields);
            }

            owners[manager] = ("Apply", fields);
            _managers[key] = owners;
            if (SpecChanged(live, next))
            {
                next["metadata"]!["generation"] = Generation(next["metadata"]!.AsObject()) + 1;
            }

            return Commit(resource, ns, key, next, "MODIFIED");
        }
    }

    /// <summary>Deletes the object and, like the garbage collector, every object whose ownerReferences name it.</summary>
    public JsonObject Delete(ApiResource resource, string? ns, string name, IEnumerable<ApiResource> allResources)
    {
        lock (_lock)
        {
            var key = Key(resource, ns, name);
            if (!_objects.TryGetValue(key, out var live))
            {
                throw new ApiException(Statuses.NotFound(resource, name));
            }

            _objects.Remove(key);
            _managers.Remove(key);
            var deleted = Commit(resource, ns, null, live, "DELETED");
            var uid = (string?)live["metadata"]!["uid"];
            var dependents = _objects
                .Where(p => p.Value["metadata"]?["ownerReferences"]?.AsArray().Any(o => (string?)o?["uid"] == uid) == true)
                .Select(p => p.Value).ToArray();
            foreach (var dependent in dependents)
            {
                var dependentResource = allResources.First(r => r.ApiVersion == (string?)dependent["apiVersion"] && r.Kind == (string?)dependent["kind"]);
                Delete(dependentResource, (string?)dependent["metadata"]!["namespace"], (string)dependent["metadata"]!["name"]!, allResources);
            }

            return deleted;
        }
    }

    /// <summary>Opens a watch from <paramref name="fromVersion"/> (null: start with the current objects as ADDED).
    /// Throws 410 Gone when that version was compacted away.</summary>
    public ChannelReader<StoredEvent> Watch(ApiResource resource, string? ns, long? fromVersion, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<StoredEvent>();
        lock (_lock)
        {
            if (fromVersion is { } from && from < _compactedThrough)
            {
                throw new ApiException(Statuses.Gone($"too old resource version: {from} ({_compactedThrough})"));
            }

            if (fromVersion is null)
            {
                foreach (var obj in List(resource, ns, _ => true).Items)
                {
                    channel.Writer.TryWrite(new StoredEvent(_resourceVersion, resource, ns, "ADDED", obj));
                }
            }
            else
            {
                foreach (var change in _history.Where(e => e.ResourceVersion > fromVersion && Matches(e, resource, ns)))
                {
                    channel.Writer.TryWrite(change);
                }
            }

            var watcher = (resource, ns, channel);
            _watchers.Add(watcher);
            cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    _watchers.Remove(watcher);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }

    /// <summary>
    /// Models an API server whose watch cache restarted: open watches end, the history is lost, and a watch from any
    /// resourceVersion up to now gets 410 Gone, so every client must list again.
    /// </summary>
    public void RestartWatchCache()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion + 1;
            foreach (var (_, _, channel) in _watchers)
            {
                channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    /// <summary>The managedFields entries of an object, as metadata.managedFields shows them.</summary>
    public JsonArray ManagedFields(ApiResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            var owners = _managers.GetValueOrDefault(Key(resource, ns, name)) ?? new(StringComparer.Ordinal);
            return new JsonArray(owners.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => (JsonNode)new JsonObject
            {
                ["manager"] = o.Key,
                ["operation"] = o.Value.Operation,
                ["apiVersion"] = resource.ApiVersion,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.ToFieldsV1(o.Value.Fields),
            }).ToArray());
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

    /// <summary>An update takes ownership of the fields it changed, as the API server records it for Update operations.</summary>
    private void Claim(string key, string manager, string operation, JsonObject before, JsonObject after)
    {
        var owners = _managers.GetValueOrDefault(key) ?? new(StringComparer.Ordinal);
        var changed = FieldPaths.Leaves(after).Where(f => !Equal(FieldPaths.Get(before, f), FieldPaths.Get(after, f))).ToHashSet(StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            return;
        }

        foreach (var (_, owned) in owners)
        {
            owned.Fields.ExceptWith(changed);
        }

        if (owners.TryGetValue(manager, out var mine))
        {
            mine.Fields.UnionWith(changed);
        }
        else
        {
            owners[manager] = (operation, changed);
        }

        _managers[key] = owners;
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
