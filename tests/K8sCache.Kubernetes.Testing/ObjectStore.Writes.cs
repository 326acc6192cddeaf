using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>Create, update, server-side apply (field managers and conflicts) and delete with garbage collection.</summary>
public sealed partial class ObjectStore
{
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
}
