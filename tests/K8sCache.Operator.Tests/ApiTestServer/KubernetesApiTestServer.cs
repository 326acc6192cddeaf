using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Operator.Tests.ApiTestServer;

/// <summary>
/// A Kubernetes API server test double on 127.0.0.1, for the operator's tests and for kubectl: discovery, get, list
/// (label selectors, server-side Table printing), watch (history replay, bookmarks, 410 Gone), create, update (409 on a
/// stale resourceVersion), merge / strategic-merge (as merge) / JSON patch, server-side apply with field managers and
/// conflicts, delete with owner-reference garbage collection, the status and scale subresources, generation, and
/// CustomResourceDefinitions that register their kinds and validate objects against their schema.
/// Not implemented (by design of a test double): authentication and authorization, admission, defaulting and
/// validation of built-in kinds, list merge keys (lists are atomic), aggregated discovery, OpenAPI documents,
/// field selectors, pagination, dry run, finalizers (deletion is immediate), namespaces as stored objects.
/// </summary>
public sealed class KubernetesApiTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ApiResource> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<string, bool> _authorizations = new(StringComparer.Ordinal);
    private LoopbackWebServer? _server;
    private long _writes;

    private KubernetesApiTestServer()
    {
        foreach (var resource in BuiltInResources.All)
        {
            _resources[resource.Key] = resource;
        }
    }

    public ObjectStore Store { get; } = new();

    public string Address => _server!.Address;

    /// <summary>Interval of BOOKMARK events on watches that allow them.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Write requests served (POST, PUT, PATCH, DELETE): a reconcile that changes nothing adds none.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>"METHOD path" of every request, for assertions on what a client did.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public IEnumerable<ApiResource> Resources => _resources.Values;

    /// <summary>
    /// What an RBAC authorizer was asked, as <c>verb group resource[/subresource]</c> (group empty for core): GET of an
    /// item is get, of a collection list (or watch), POST create, PUT update, PATCH patch, DELETE delete — and a
    /// server-side apply that creates the object is authorized as create as well, as the API server does.
    /// </summary>
    public IReadOnlyCollection<string> Authorizations => _authorizations.Keys.ToArray();

    /// <summary>Forgets the authorizations recorded so far (the test's own set-up requests).</summary>
    public void ResetAuthorizations() => _authorizations.Clear();

    public static async Task<KubernetesApiTestServer> StartAsync()
    {
        var server = new KubernetesApiTestServer();
        server._server = await LoopbackWebServer.StartAsync(HttpProtocols.Http1, app => app.Run(server.HandleAsync));
        return server;
    }

    /// <summary>A kubeconfig file pointing at this server, for kubectl and the operator's client.</summary>
    public string WriteKubeconfig(string directory, string ns = "default")
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {Address}
            users:
            - name: test
              user:
                token: test-token
            contexts:
            - name: test
              context:
                cluster: test
                user: test
                namespace: {ns}
            current-context: test
            """);
        return path;
    }

    public ApiResource Resource(string apiVersion, string plural) =>
        _resources.Values.Single(r => r.ApiVersion == apiVersion && r.Plural == plural);

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        try
        {
            var segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            switch (segments)
            {
                case ["version"]:
                    await WriteAsync(context, 200, Discovery.Version());
                    return;
                case ["api"]:
                    await WriteAsync(context, 200, Discovery.CoreVersions());
                    return;
                case ["openapi", "v3"]:
                    await WriteAsync(context, 200, OpenApi.Index(_resources.Values));
                    return;
                case ["openapi", "v3", .. var groupVersion]:
                    await WriteAsync(context, 200, OpenApi.Document(string.Join('/', groupVersion), _resources.Values));
                    return;
                case ["apis"]:
                    await WriteAsync(context, 200, Discovery.Groups(_resources.Values));
                    return;
                case ["api", "v1"]:
                    await WriteAsync(context, 200, Discovery.Resources("v1", _resources.Values));
                    return;
                case ["apis", var g] when _resources.Values.FirstOrDefault(r => r.Group == g) is { } r:
                    await WriteAsync(context, 200, Discovery.Group(g, r.Version));
                    return;
                case ["apis", var g, var v] when _resources.Values.Any(r => r.ApiVersion == $"{g}/{v}"):
                    await WriteAsync(context, 200, Discovery.Resources($"{g}/{v}", _resources.Values));
                    return;
                case ["api", "v1", .. var rest]:
                    await ResourceAsync(context, string.Empty, "v1", rest);
                    return;
                case ["apis", var g, var v, .. var rest]:
                    await ResourceAsync(context, g, v, rest);
                    return;
                default:
                    await WriteAsync(context, 404, Statuses.BadRequest($"the server could not find the requested resource ({request.Method} {request.Path})").Body, 404);
                    return;
            }
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.Code, e.Body);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A bug in the test double: answer as the API server does for internal errors, with the reason visible.
            var status = Statuses.BadRequest($"test server error: {e}").Body;
            status["reason"] = "InternalError";
            status["code"] = 500;
            await WriteAsync(context, 500, status);
        }
    }

    private async Task ResourceAsync(HttpContext context, string group, string version, string[] rest)
    {
        string? ns = null;
        if (rest is ["namespaces", var n, _, ..])
        {
            ns = n;
            rest = rest[2..];
        }
        else if (rest is ["namespaces", var single])
        {
            await WriteAsync(context, 200, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = single },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
            return;
        }

        if (rest.Length == 0 || !_resources.TryGetValue($"{group}/{version}/{rest[0]}", out var resource))
        {
            throw new ApiException((404, Statuses.BadRequest($"the server could not find the requested resource").Body));
        }

        var method = context.Request.Method;
        Authorize(method, context, resource, rest);
        switch (rest)
        {
            case [_] when HttpMethods.IsGet(method):
                await ListOrWatchAsync(context, resource, ns);
                break;
            case [_] when HttpMethods.IsPost(method):
                var created = Store.Create(resource, resource.Namespaced ? ns ?? "default" : null, await ValidatedBodyAsync(context, resource), Manager(context));
                AfterWrite(resource, created);
                await WriteAsync(context, 201, created, write: true);
                break;
            case [_, var name]:
                await ItemAsync(context, resource, resource.Namespaced ? ns ?? "default" : null, name);
                break;
            case [_, var name, "status"]:
                await StatusAsync(context, resource, resource.Namespaced ? ns ?? "default" : null, name);
                break;
            case [_, var name, "scale"] when resource.Scale is not null:
                await ScaleAsync(context, resource, ns ?? "default", name);
                break;
            default:
                throw new ApiException(Statuses.MethodNotAllowed($"{method} is not supported on {context.Request.Path}"));
        }
    }

    private async Task ItemAsync(HttpContext context, ApiResource resource, string? ns, string name)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method))
        {
            var obj = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
            if (context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
            {
                await WriteAsync(context, 200, TableWriter.Write(resource, [obj], Store.ResourceVersion, DateTimeOffset.UtcNow));
                return;
            }

            obj["metadata"]!["managedFields"] = Store.ManagedFields(resource, ns, name);
            await WriteAsync(context, 200, obj);
            return;
        }

        if (HttpMethods.IsDelete(method))
        {
            var deleted = Store.Delete(resource, ns, name, _resources.Values);
            await WriteAsync(context, 200, deleted, write: true);
            return;
        }

        JsonObject result;
        if (HttpMethods.IsPut(method))
        {
            result = Store.Update(resource, ns, name, await ValidatedBodyAsync(context, resource), Manager(context));
        }
        else if (HttpMethods.IsPatch(method) && context.Request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true)
        {
            var manager = context.Request.Query["fieldManager"].ToString();
            if (manager.Length == 0)
            {
                throw new ApiException(Statuses.BadRequest("fieldManager is required for apply requests"));
            }

            var applied = await ValidatedBodyAsync(context, resource);
            var creates = Store.Get(resource, ns, name) is null;
            if (creates)
            {
                _authorizations.TryAdd($"create {resource.Group} {resource.Plural}", true);
            }

            result = Store.Apply(resource, ns, name, applied, manager, context.Request.Query["force"] == "true");
            if (creates)
            {
                AfterWrite(resource, result);
                await WriteAsync(context, 201, result, write: true);
                return;
            }
        }
        else if (HttpMethods.IsPatch(method))
        {
            var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
            var patched = await PatchedAsync(context, live);
            ValidateCustomObject(context, resource, patched);
            result = Store.Update(resource, ns, name, patched, Manager(context));
        }
        else
        {
            throw new ApiException(Statuses.MethodNotAllowed($"{method} is not supported"));
        }

        AfterWrite(resource, result);
        await WriteAsync(context, 200, result, write: true);
    }

    private async Task StatusAsync(HttpContext context, ApiResource resource, string? ns, string name)
    {
        var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await WriteAsync(context, 200, live);
            return;
        }

        var next = HttpMethods.IsPut(context.Request.Method) ? await BodyAsync(context) : await PatchedAsync(context, live);
        await WriteAsync(context, 200, Store.Update(resource, ns, name, next, Manager(context), statusOnly: true), write: true);
    }

    /// <summary>The autoscaling/v1 Scale view of a custom resource, as kubectl scale and the HPA use it.</summary>
    private async Task ScaleAsync(HttpContext context, ApiResource resource, string ns, string name)
    {
        var (specPath, statusPath, selectorPath) = resource.Scale!.Value;
        var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
        JsonObject Scale(JsonObject obj) => new()
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = obj["metadata"]!["uid"]!.DeepClone(),
                ["resourceVersion"] = obj["metadata"]!["resourceVersion"]!.DeepClone(),
                ["creationTimestamp"] = obj["metadata"]!["creationTimestamp"]!.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = TableWriter.Evaluate(obj, specPath)?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = TableWriter.Evaluate(obj, statusPath)?.DeepClone() ?? 0,
                ["selector"] = selectorPath is null ? null : TableWriter.Evaluate(obj, selectorPath)?.DeepClone(),
            },
        };

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await WriteAsync(context, 200, Scale(live));
            return;
        }

        var scale = HttpMethods.IsPut(context.Request.Method) ? await BodyAsync(context) : await PatchedAsync(context, Scale(live));
        var replicas = scale["spec"]?["replicas"]?.DeepClone() ?? throw new ApiException(Statuses.BadRequest("spec.replicas is required"));
        var next = (JsonObject)live.DeepClone();
        FieldPaths.Set(next, string.Join('\u0001', specPath.TrimStart('.').Split('.')), replicas);
        next["metadata"]!["resourceVersion"] = scale["metadata"]?["resourceVersion"]?.DeepClone() ?? live["metadata"]!["resourceVersion"]!.DeepClone();
        ValidateCustomObject(context, resource, next);
        await WriteAsync(context, 200, Scale(Store.Update(resource, ns, name, next, Manager(context))), write: true);
    }

    private async Task ListOrWatchAsync(HttpContext context, ApiResource resource, string? ns)
    {
        var query = context.Request.Query;
        var selector = LabelSelector.Parse(query["labelSelector"].ToString());
        if (query["watch"] is { Count: > 0 } watch && watch.ToString() is "true" or "1")
        {
            await WatchAsync(context, resource, ns, selector);
            return;
        }

        var (items, version) = Store.List(resource, ns, selector.Matches);
        if (context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
        {
            await WriteAsync(context, 200, TableWriter.Write(resource, items, version, DateTimeOffset.UtcNow));
            return;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = resource.Kind + "List",
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        });
    }

    private async Task WatchAsync(HttpContext context, ApiResource resource, string? ns, LabelSelector selector)
    {
        var query = context.Request.Query;
        var from = query["resourceVersion"].ToString() is { Length: > 0 } rv && rv != "0" ? long.Parse(rv, CultureInfo.InvariantCulture) : (long?)null;
        var timeout = TimeSpan.FromSeconds(int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) ? seconds : 300);
        var bookmarks = query["allowWatchBookmarks"] == "true";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ended.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        System.Threading.Channels.ChannelReader<StoredEvent> reader;
        try
        {
            reader = Store.Watch(resource, ns, from, ended.Token);
        }
        catch (ApiException e)
        {
            // A stale resourceVersion is reported inside the stream, as the API server does: an ERROR event with a Status.
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = e.Body }, CancellationToken.None);
            return;
        }

        await context.Response.StartAsync(ended.Token);
        try
        {
            while (!ended.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                tick.CancelAfter(BookmarkInterval);
                try
                {
                    var change = await reader.ReadAsync(tick.Token);
                    if (selector.Matches(change.Object))
                    {
                        await WriteLineAsync(context, new JsonObject { ["type"] = change.Type, ["object"] = change.Object.DeepClone() }, ended.Token);
                    }
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested && bookmarks)
                {
                    await WriteLineAsync(context, new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["kind"] = resource.Kind,
                            ["apiVersion"] = resource.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                        },
                    }, ended.Token);
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested)
                {
                    // No bookmarks asked for: keep waiting.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch timed out or the client went away: the stream ends.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Ended.
        }
    }

    private void Authorize(string method, HttpContext context, ApiResource resource, string[] rest)
    {
        var target = rest.Length >= 3 ? $"{resource.Plural}/{rest[2]}" : resource.Plural;
        var verb = method switch
        {
            "GET" when rest.Length == 1 => context.Request.Query["watch"] is { Count: > 0 } w && w.ToString() is "true" or "1" ? "watch" : "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        _authorizations.TryAdd($"{verb} {resource.Group} {target}", true);
    }

    /// <summary>Reads the body (JSON or YAML) and, for custom resources, defaults and validates it against the CRD.</summary>
    private async Task<JsonObject> ValidatedBodyAsync(HttpContext context, ApiResource resource)
    {
        var body = await BodyAsync(context);
        ValidateCustomObject(context, resource, body);
        return body;
    }

    private static void ValidateCustomObject(HttpContext context, ApiResource resource, JsonObject obj)
    {
        if (resource.Schema is null)
        {
            return;
        }

        var unknown = new List<string>();
        var causes = SchemaValidator.Validate(obj, resource.Schema, unknown);
        var name = (string?)obj["metadata"]?["name"] ?? string.Empty;
        if (unknown.Count > 0 && context.Request.Query["fieldValidation"] == "Strict")
        {
            throw new ApiException(Statuses.BadRequest(
                $"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: strict decoding error: " +
                string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""))));
        }

        if (causes.Count > 0)
        {
            throw new ApiException(Statuses.Invalid(resource, name, causes));
        }
    }

    /// <summary>A CustomResourceDefinition that was written registers (or updates) its kind and is marked Established.</summary>
    private void AfterWrite(ApiResource resource, JsonObject obj)
    {
        if (resource.Kind != "CustomResourceDefinition")
        {
            return;
        }

        var spec = obj["spec"]!;
        var version = spec["versions"]!.AsArray().First(v => (bool?)v?["storage"] == true)!;
        var scale = version["subresources"]?["scale"];
        var names = spec["names"]!;
        var custom = new ApiResource((string)spec["group"]!, (string)version["name"]!, (string)names["plural"]!, (string?)names["singular"] ?? ((string)names["kind"]!).ToLowerInvariant(),
            (string)names["kind"]!, (string?)spec["scope"] == "Namespaced")
        {
            ShortNames = names["shortNames"]?.AsArray().Select(s => (string)s!).ToArray() ?? [],
            Categories = names["categories"]?.AsArray().Select(s => (string)s!).ToArray() ?? [],
            HasStatusSubresource = version["subresources"]?["status"] is not null,
            Scale = scale is null ? null : ((string)scale["specReplicasPath"]!, (string)scale["statusReplicasPath"]!, (string?)scale["labelSelectorPath"]),
            Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone().AsObject(),
            PrinterColumns = version["additionalPrinterColumns"]?.DeepClone().AsArray(),
        };
        _resources[custom.Key] = custom;
        var established = (JsonObject)obj.DeepClone();
        established["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found" },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted" }),
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = new JsonArray((string)version["name"]!),
        };
        Store.Update(resource, null, (string)obj["metadata"]!["name"]!, established, "apiextensions-apiserver", statusOnly: true);
    }

    private static async Task<JsonObject> PatchedAsync(HttpContext context, JsonObject live)
    {
        var text = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var contentType = context.Request.ContentType ?? string.Empty;
        if (contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal))
        {
            return JsonPatch.Apply(live, JsonNode.Parse(text)!.AsArray());
        }

        if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
            || contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            return MergePatch.Apply(live, JsonNode.Parse(text))!.AsObject();
        }

        throw new ApiException(Statuses.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        var text = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var node = text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : YamlToJson.ReadDocuments(new StringReader(text)).FirstOrDefault();
        return node as JsonObject ?? throw new ApiException(Statuses.BadRequest("the request body is not an object"));
    }

    private static string Manager(HttpContext context) =>
        context.Request.Query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : context.Request.Headers.UserAgent.ToString().Split('/')[0];

    private async Task WriteAsync(HttpContext context, int status, JsonObject body, int? code = null, bool write = false)
    {
        if (write)
        {
            Interlocked.Increment(ref _writes);
        }

        context.Response.StatusCode = code ?? status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
