using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sCache.Operator.Kubernetes;

/// <summary>
/// A slim Kubernetes API client: get, list, watch (with bookmarks; 410 Gone surfaces as <see cref="KubernetesException"/>
/// so the caller relists), create, replace, server-side apply with a field manager, status merge-patch, delete.
/// Objects are <see cref="JsonObject"/>s; typed models are read from them where the operator needs them.
/// Every non-success answer throws <see cref="KubernetesException"/> with the API's Status reason and code.
/// </summary>
internal sealed class KubernetesClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubernetesConfig _config;

    public KubernetesClient(KubernetesConfig config, HttpMessageHandler? handler = null)
    {
        _config = config;
        _http = new HttpClient(handler ?? CreateHandler(config)) { BaseAddress = config.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("k8scache-operator", "0.1"));
    }

    /// <summary>How long one request (not a watch) may take before it fails with 504 Timeout: a connection that went
    /// half-open must not hold a reconcile or a Lease renewal forever. Default 30s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Write requests sent (create, replace, apply, patch, delete): for tests of idempotence and metrics.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private long _writes;

    public async Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken, string? subresource = null)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, type.ItemPath(ns, name, subresource), null, null, cancellationToken);
        }
        catch (KubernetesException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<ResourceList> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var query = labelSelector is null ? string.Empty : "?labelSelector=" + Uri.EscapeDataString(labelSelector);
        var list = await SendAsync(HttpMethod.Get, type.CollectionPath(ns) + query, null, null, cancellationToken);
        var items = list["items"]?.AsArray().OfType<JsonObject>().Select(i =>
        {
            // List items carry no apiVersion/kind; the informer's consumers expect them.
            i["apiVersion"] ??= type.ApiVersion;
            i["kind"] ??= type.Kind;
            return i;
        }).ToArray() ?? [];
        return new ResourceList(items, (string?)list["metadata"]?["resourceVersion"] ?? "0");
    }

    /// <summary>Streams changes after <paramref name="resourceVersion"/> until the server ends the watch or the token is
    /// cancelled. A too-old version throws <see cref="KubernetesException"/> with code 410: relist and watch again.</summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType type, string? ns, string resourceVersion, string? labelSelector, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = $"{type.CollectionPath(ns)}?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}" +
            $"&timeoutSeconds={(int)timeout.TotalSeconds}" + (labelSelector is null ? string.Empty : "&labelSelector=" + Uri.EscapeDataString(labelSelector));
        using var request = CreateRequest(HttpMethod.Get, path, null, null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var node = JsonNode.Parse(line)!.AsObject();
            var eventType = (string?)node["type"] ?? string.Empty;
            var obj = node["object"]?.AsObject() ?? new JsonObject();
            if (eventType == "ERROR")
            {
                throw StatusException(obj, (int?)obj["code"] ?? 500);
            }

            node.Remove("object");
            yield return new WatchEvent(eventType, obj);
        }
    }

    public Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken) =>
        WriteAsync(HttpMethod.Post, type.CollectionPath(ns), obj.ToJsonString(), "application/json", cancellationToken);

    public Task<JsonObject> ReplaceAsync(ResourceType type, string? ns, string name, JsonObject obj, CancellationToken cancellationToken) =>
        WriteAsync(HttpMethod.Put, type.ItemPath(ns, name), obj.ToJsonString(), "application/json", cancellationToken);

    /// <summary>Server-side apply: <paramref name="obj"/> is this manager's whole intent for the object; fields it
    /// applied before and leaves out now are removed. <paramref name="force"/> takes over fields other managers own.</summary>
    public Task<JsonObject> ApplyAsync(ResourceType type, JsonObject obj, string fieldManager, bool force, CancellationToken cancellationToken)
    {
        var ns = (string?)obj["metadata"]?["namespace"];
        var name = (string?)obj["metadata"]?["name"] ?? throw new ArgumentException("The object has no metadata.name.", nameof(obj));
        var path = $"{type.ItemPath(ns, name)}?fieldManager={Uri.EscapeDataString(fieldManager)}&force={(force ? "true" : "false")}";
        return WriteAsync(HttpMethod.Patch, path, obj.ToJsonString(), "application/apply-patch+yaml", cancellationToken);
    }

    /// <summary>A JSON merge patch (RFC 7386) of the status subresource.</summary>
    public Task<JsonObject> PatchStatusAsync(ResourceType type, string? ns, string name, JsonObject patch, CancellationToken cancellationToken) =>
        WriteAsync(HttpMethod.Patch, type.ItemPath(ns, name, "status"), patch.ToJsonString(), "application/merge-patch+json", cancellationToken);

    /// <summary>Deletes the object; true when it existed.</summary>
    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(HttpMethod.Delete, type.ItemPath(ns, name), null, null, cancellationToken);
            return true;
        }
        catch (KubernetesException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    private Task<JsonObject> WriteAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        return SendAsync(method, path, body, contentType, cancellationToken);
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, path, body, contentType);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            await ThrowIfFailedAsync(response, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesException(503, "ServiceUnavailable", $"cannot reach the API server at {_config.Server}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesException(504, "Timeout", $"{method} {path}: no answer from the API server within {RequestTimeout.TotalSeconds:F0}s", e);
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string path, string? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_config.CurrentToken() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
        }

        return request;
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonObject? status = null;
        try
        {
            status = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not a Status object (a proxy, a plain-text error): report the text.
        }

        throw status is not null ? StatusException(status, (int)response.StatusCode)
            : new KubernetesException((int)response.StatusCode, response.StatusCode.ToString(), text);
    }

    private static KubernetesException StatusException(JsonObject status, int code) =>
        new((int?)status["code"] ?? code, (string?)status["reason"] ?? ((HttpStatusCode)code).ToString(), (string?)status["message"] ?? string.Empty);

    private static SocketsHttpHandler CreateHandler(KubernetesConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var ssl = new SslClientAuthenticationOptions();
        if (config.ClientCertificate is not null)
        {
            ssl.ClientCertificates = [config.ClientCertificate];
        }

        if (config.SkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.CertificateAuthority is { Count: > 0 } authority)
        {
            // Trust exactly the cluster's CA, not the system store.
            ssl.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            ssl.CertificateChainPolicy.CustomTrustStore.AddRange(authority);
        }

        handler.SslOptions = ssl;
        return handler;
    }
}
