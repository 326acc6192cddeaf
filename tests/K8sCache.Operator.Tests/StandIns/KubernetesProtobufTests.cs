using System.Net;
using System.Text;
using K8sCache.Operator.Tests.Fixtures;

namespace K8sCache.Operator.Tests.StandIns;

/// <summary>The API test server reads Secrets and ConfigMaps in Kubernetes' protobuf encoding (Helm 4 writes its release
/// records that way) and refuses what it cannot read with the API server's status codes.</summary>
public sealed class KubernetesProtobufTests : ApiServerTest
{
    [Fact]
    public async Task ASecretInProtobuf_IsStoredAsTheSameObjectInJson()
    {
        var metadata = Message(Text(1, "release"), Text(3, "default"), Entry(11, "owner", "helm"u8.ToArray()));
        var secret = Message(Bytes(1, metadata), Entry(2, "release", [0, 1, 2, 255]), Text(3, "helm.sh/release.v1"));
        var (status, body) = await PostAsync("/api/v1/namespaces/default/secrets", Envelope("v1", "Secret", secret));

        Assert.True(status == HttpStatusCode.Created, body);
        var stored = Env.Get(Env.Server.Resource("v1", "secrets"), "default", "release")!;
        Assert.Equal("AAEC/w==", (string?)stored["data"]!["release"]);
        Assert.Equal("helm", (string?)stored["metadata"]!["labels"]!["owner"]);
        Assert.Equal("helm.sh/release.v1", (string?)stored["type"]);
    }

    [Fact]
    public async Task ATruncatedBody_Is400_AndAKindNotServedInProtobuf_Is415()
    {
        var secret = Message(Bytes(1, Message(Text(1, "cut"))));
        var truncated = Envelope("v1", "Secret", secret)[..^2];
        var (status, body) = await PostAsync("/api/v1/namespaces/default/secrets", truncated);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("truncated", body, StringComparison.Ordinal);
        Assert.Null(Env.Get(Env.Server.Resource("v1", "secrets"), "default", "cut"));

        (status, body) = await PostAsync("/apis/apps/v1/namespaces/default/deployments", Envelope("apps/v1", "Deployment", Message(Bytes(1, Message(Text(1, "d"))))));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("send application/json", body, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode, string)> PostAsync(string path, byte[] body)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Env.Server.Address) };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        using var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8, .. Message(Bytes(1, Message(Text(1, apiVersion), Text(2, kind))), Bytes(2, raw))];

    private static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    private static byte[] Entry(int number, string key, byte[] value) => Bytes(number, Message(Text(1, key), Bytes(2, value)));

    private static byte[] Text(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field; lengths here stay under 128, so each is one varint byte.</summary>
    private static byte[] Bytes(int number, byte[] value) => [(byte)((number << 3) | 2), (byte)value.Length, .. value];
}
