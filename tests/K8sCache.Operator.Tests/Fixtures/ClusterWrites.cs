using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>What a user or another controller writes, sent to the API test server over HTTP as kubectl sends it
/// (so the CRD's defaults and validation apply and watches see it), apart from the operator's own connection.</summary>
internal static class ClusterWrites
{
    public static Task<JsonObject> CreateAsync(this ClusterEnvironment environment, ResourceType type, string ns, JsonObject obj) =>
        SendAsync(environment, HttpMethod.Post, type.CollectionPath(ns), obj);

    public static Task<JsonObject> ReplaceAsync(this ClusterEnvironment environment, ResourceType type, string ns, string name, JsonObject obj) =>
        SendAsync(environment, HttpMethod.Put, type.ItemPath(ns, name), obj);

    public static Task<JsonObject> DeleteAsync(this ClusterEnvironment environment, ResourceType type, string ns, string name) =>
        SendAsync(environment, HttpMethod.Delete, type.ItemPath(ns, name), null);

    private static async Task<JsonObject> SendAsync(ClusterEnvironment environment, HttpMethod method, string path, JsonObject? body)
    {
        using var http = new HttpClient { BaseAddress = new Uri(environment.Server.Address), Timeout = TestTimeouts.Default };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
