using System.Net;

namespace K8sCache.Sidecar.Loading;

/// <summary>
/// Loads from the application over HTTP: GET of the URL template with <c>{group}</c> and <c>{key}</c> substituted
/// (URL-escaped). 200: the body is the value, <c>Cache-Control: max-age=N</c> its TTL (<c>no-store</c> or
/// <c>max-age=0</c>: not cached); 404: not found; anything else, a timeout or a body above the value limit: an error.
/// Errors name the URL template, never the key: their messages reach the logs. The User-Agent names the node
/// (<c>k8scache-sidecar (SELF)</c>), so the origin's logs show which pod loaded a key.
/// </summary>
internal sealed class HttpLoader : ILoader
{
    private readonly HttpClient _client;
    private readonly string _template;
    private readonly TimeSpan _timeout;
    private readonly int _maxValueBytes;

    public HttpLoader(string template, TimeSpan timeout, int maxValueBytes, string? self = null, HttpMessageHandler? handler = null)
    {
        _template = template;
        _timeout = timeout;
        _maxValueBytes = maxValueBytes;
        _client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", self is null ? "k8scache-sidecar" : $"k8scache-sidecar ({self})");
    }

    public async Task<LoadResult> LoadAsync(string group, string key, CancellationToken cancellationToken)
    {
        var url = _template
            .Replace("{group}", Uri.EscapeDataString(group), StringComparison.Ordinal)
            .Replace("{key}", Uri.EscapeDataString(key), StringComparison.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return LoadResult.NotFound;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new LoaderException($"loader answered HTTP {(int)response.StatusCode} for {_template}");
            }

            if (response.Content.Headers.ContentLength > _maxValueBytes)
            {
                throw new LoaderException($"loader value for {_template} is {response.Content.Headers.ContentLength} bytes; the limit is MaxValueBytes={_maxValueBytes}");
            }

            var value = await ReadLimitedAsync(response.Content, timeout.Token);
            var cacheControl = response.Headers.CacheControl;
            var noStore = cacheControl is { NoStore: true } || cacheControl?.MaxAge == TimeSpan.Zero;
            return new LoadResult(true, value, cacheControl?.MaxAge, Cacheable: !noStore);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LoaderException($"loader timed out after {_timeout.TotalMilliseconds:F0}ms for {_template}", e);
        }
        catch (HttpRequestException e)
        {
            throw new LoaderException($"loader unreachable at {_template}: {e.Message}", e) { Unreachable = e.HttpRequestError == HttpRequestError.ConnectionError };
        }
    }

    public string Kind => "http";

    public void Dispose() => _client.Dispose();

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxValueBytes)
            {
                throw new LoaderException($"loader value for {_template} exceeds the limit MaxValueBytes={_maxValueBytes}");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
