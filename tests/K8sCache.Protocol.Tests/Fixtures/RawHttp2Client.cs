using System.Net;
using System.Net.Http.Headers;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>A bare h2c client, for asserting exactly what the server puts on the wire (headers, body, trailers).</summary>
public sealed class RawHttp2Client : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TestTimeouts.Default };

    public async Task<RawResponse> PostAsync(
        string address, string path, byte[] body, string contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, address + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, bytes, response.TrailingHeaders);
    }

    public void Dispose() => _client.Dispose();
}

public sealed record RawResponse(
    HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body, HttpResponseHeaders Trailers)
{
    public string? Header(string name) => Headers.TryGetValues(name, out var v) ? v.Single() : null;

    public string? Trailer(string name) => Trailers.TryGetValues(name, out var v) ? v.Single() : null;
}
