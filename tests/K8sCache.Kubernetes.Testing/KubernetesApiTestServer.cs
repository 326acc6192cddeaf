using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Operator.Yaml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sCache.Kubernetes.Testing;

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
public sealed partial class KubernetesApiTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ApiResource> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<string, bool> _authorizations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Namespace, string Name)> _serviceAccountTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _identities = new(StringComparer.Ordinal);
    private LoopbackWebServer? _server;
    private LoopbackWebServer? _tls;
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

    /// <summary>A bearer token that authenticates as service account <paramref name="ns"/>/<paramref name="name"/>:
    /// requests carrying it are authorized by RBAC (<see cref="RbacAuthorizer"/>) and refused with 403 when no Role or
    /// ClusterRole bound to the account allows them. Every other token is an administrator's.</summary>
    public string IssueServiceAccountToken(string ns, string name)
    {
        var token = "sa-" + Guid.NewGuid().ToString("N");
        _serviceAccountTokens[token] = (ns, name);
        return token;
    }

    /// <summary>The service accounts whose tokens requests carried, as <c>system:serviceaccount:NS:NAME</c>.</summary>
    public IReadOnlyCollection<string> ServiceAccountsSeen => _identities.Keys.ToArray();

    /// <summary>PEM of the certificate <see cref="StartTlsAsync"/> serves with (its own CA, for 127.0.0.1).</summary>
    public string? CertificateAuthorityPem { get; private set; }

    /// <summary>Serves the same API over TLS on another loopback port, as a cluster's API server does (in-cluster
    /// clients speak only https); returns the port. Its certificate is <see cref="CertificateAuthorityPem"/>.</summary>
    public async Task<int> StartTlsAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificateAuthorityPem = certificate.ExportCertificatePem();
        _tls = await LoopbackWebServer.StartAsync(HttpProtocols.Http1AndHttp2, app => app.Run(HandleAsync), certificate: certificate);
        return _tls.Port;
    }

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

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

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
        Authorize(method, context, resource, rest, ns);
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

    private void Authorize(string method, HttpContext context, ApiResource resource, string[] rest, string? ns)
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
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal) && _serviceAccountTokens.TryGetValue(authorization["Bearer ".Length..], out var account))
        {
            _identities.TryAdd($"system:serviceaccount:{account.Namespace}:{account.Name}", true);
            var targetNamespace = resource.Namespaced ? ns : null;
            var name = rest.Length >= 2 ? rest[1] : null;
            if (!RbacAuthorizer.Allows(Store, _resources.Values, account, verb, resource.Group, target, name, targetNamespace))
            {
                throw new ApiException(RbacAuthorizer.Forbidden(account, verb, resource.Group, target, targetNamespace));
            }
        }
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? string.Empty;
        if (contentType.StartsWith(KubernetesProtobuf.MediaType, StringComparison.Ordinal))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return KubernetesProtobuf.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }

        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase) && !contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
        {
            // CBOR is not served: clients then send JSON, as they do to servers that refuse it.
            throw new ApiException(Statuses.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, {KubernetesProtobuf.MediaType} (got {contentType})"));
        }

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
