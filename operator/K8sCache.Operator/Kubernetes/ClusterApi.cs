using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace K8sCache.Operator.Kubernetes;

/// <summary>
/// The operator's connection to the API server: the library's client (<see cref="Typed"/>: its configuration, HTTP
/// pipeline, credentials and models) used through <see cref="ReadAsync{T}"/> and <see cref="WriteAsync{T}"/>, which
/// bound each request by <see cref="RequestTimeout"/> and turn every failure into a <see cref="ClusterApiException"/>
/// with the API's Status code, reason and message.
/// <para>Objects that carry a user's content (the owned objects, with the CacheGroup's pod template) are read, listed,
/// watched and applied as JSON on the same HTTP pipeline and credentials (<see cref="GetAsync"/>, <see
/// cref="ApplyAsync"/>, …): the library's models drop fields they do not know (a newer cluster's), and the drift check
/// compares what was applied with what is live. The library's AOT flavour has no watch, so the watch is here too.</para>
/// </summary>
internal sealed class ClusterApi : IDisposable
{
    private readonly k8s.Kubernetes _client;
    private readonly string? _tlsServerName;
    private long _writes;

    public ClusterApi(KubernetesClientConfiguration config, params DelegatingHandler[] handlers)
    {
        // Requests end by RequestTimeout (or their caller's token); a watch lasts as long as it streams.
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        config.AddJsonOptions(o => o.TypeInfoResolver = JsonTypeInfoResolver.Combine(o.TypeInfoResolver, ObjectFieldsJsonContext.Default));
        _client = new k8s.Kubernetes(config, handlers);
        _tlsServerName = config.TlsServerName;
        Namespace = string.IsNullOrWhiteSpace(config.Namespace) ? "default" : config.Namespace.Trim();
    }

    /// <summary>The library's typed client; call it through <see cref="ReadAsync{T}"/> or <see cref="WriteAsync{T}"/>.</summary>
    public IKubernetes Typed => _client;

    /// <summary>The namespace of the kubeconfig's context or of the pod: where the operator's Lease lives by default.</summary>
    public string Namespace { get; }

    /// <summary>How long one request (not a watch) may take before it fails with 504 Timeout: a connection that went
    /// half-open must not hold a reconcile or a Lease renewal forever. Default 30s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Write requests sent (create, replace, apply, patch, delete): for tests of idempotence and metrics.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>A read through the typed client; null when the object does not exist.</summary>
    public async Task<T?> ReadAsync<T>(Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await CallAsync(call, cancellationToken);
        }
        catch (ClusterApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>A write through the typed client.</summary>
    public Task<T> WriteAsync<T>(Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        return CallAsync(call, cancellationToken);
    }

    public async Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, type.ItemPath(ns, name), null, null, cancellationToken);
        }
        catch (ClusterApiException e) when (e.IsNotFound)
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
    /// cancelled. A too-old version throws <see cref="ClusterApiException"/> with code 410: relist and watch again.</summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType type, string? ns, string resourceVersion, string? labelSelector, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = $"{type.CollectionPath(ns)}?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}" +
            $"&timeoutSeconds={(int)timeout.TotalSeconds}" + (labelSelector is null ? string.Empty : "&labelSelector=" + Uri.EscapeDataString(labelSelector));
        using var response = await StartAsync(HttpMethod.Get, path, null, null, cancellationToken);
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
                throw ApiErrors.FromStatus(obj, (int?)obj["code"] ?? 500);
            }

            node.Remove("object");
            yield return new WatchEvent(eventType, obj);
        }
    }

    /// <summary>Server-side apply: <paramref name="obj"/> is this manager's whole intent for the object; fields it
    /// applied before and leaves out now are removed. <paramref name="force"/> takes over fields other managers own.</summary>
    public Task<JsonObject> ApplyAsync(ResourceType type, JsonObject obj, string fieldManager, bool force, CancellationToken cancellationToken)
    {
        var ns = (string?)obj["metadata"]?["namespace"];
        var name = (string?)obj["metadata"]?["name"] ?? throw new ArgumentException("The object has no metadata.name.", nameof(obj));
        var path = $"{type.ItemPath(ns, name)}?fieldManager={Uri.EscapeDataString(fieldManager)}&force={(force ? "true" : "false")}";
        Interlocked.Increment(ref _writes);
        return SendAsync(HttpMethod.Patch, path, obj.ToJsonString(), "application/apply-patch+yaml", cancellationToken);
    }

    /// <summary>Deletes the object; true when it existed.</summary>
    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        try
        {
            await SendAsync(HttpMethod.Delete, type.ItemPath(ns, name), null, null, cancellationToken);
            return true;
        }
        catch (ClusterApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<T> CallAsync<T>(Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            return await call(_client, timeout.Token);
        }
        catch (Exception e) when (ApiErrors.Map(e, cancellationToken, _client.BaseUri, RequestTimeout) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await StartAsync(method, path, body, contentType, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
        }
        catch (Exception e) when (ApiErrors.Map(e, cancellationToken, _client.BaseUri, RequestTimeout) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Sends one request as the library sends its own (credentials applied per request, HTTP/2 where the
    /// server offers it) and returns the response once its headers arrived; a refusal throws its Status.</summary>
    private async Task<HttpResponseMessage> StartAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_client.BaseUri, path.TrimStart('/'))) { Version = HttpVersion.Version20 };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
        }

        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(_tlsServerName))
        {
            request.Headers.Host = _tlsServerName;
        }

        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw ApiErrors.FromBody(await response.Content.ReadAsStringAsync(cancellationToken), response.StatusCode);
        }
    }
}
