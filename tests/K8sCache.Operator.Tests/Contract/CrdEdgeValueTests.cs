using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Yaml;
using K8sCache.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;

namespace K8sCache.Operator.Tests.Contract;

/// <summary>
/// Every value the CRD admits renders to a configuration the sidecar accepts: a pod must never start from a
/// CacheGroup that <c>kubectl apply</c> took, only to exit on its own configuration. Each edge value goes through the
/// CRD's schema as the API server checks it (patterns, bounds, CEL rules) and through the sidecar's own options reader.
/// Values the sidecar refuses must be refused at apply time; values the sidecar takes may still be refused by the CRD
/// (stricter is safe), and the ones listed as taken must be taken by both.
/// </summary>
public class CrdEdgeValueTests
{
    private static readonly JsonObject Schema = LoadSchema();

    [Theory]
    // Group budgets: positive quantities, including ones larger than a long holds (the sidecar saturates them).
    [InlineData("maxBytes", "\"1\"", true)]
    [InlineData("maxBytes", "\"512\"", true)]
    [InlineData("maxBytes", "\"1.5Gi\"", true)]
    [InlineData("maxBytes", "\".5\"", true)]
    [InlineData("maxBytes", "\"1e9\"", true)]
    [InlineData("maxBytes", "\"999999999999999Ei\"", true)]
    [InlineData("maxBytes", "\"0\"", false)]
    [InlineData("maxBytes", "\"0Mi\"", false)]
    [InlineData("maxBytes", "\"0.0\"", false)]
    [InlineData("maxBytes", "\"1m\"", false)]
    [InlineData("maxBytes", "\"-1\"", false)]
    [InlineData("maxBytes", "\"64 Mi\"", false)]
    // TTLs: positive durations.
    [InlineData("ttl", "\"1ms\"", true)]
    [InlineData("ttl", "\"0.5s\"", true)]
    [InlineData("ttl", "\"1h30m\"", true)]
    [InlineData("ttl", "\"0m5s\"", true)]
    [InlineData("ttl", "\"999999d999999d999999d\"", true)]
    [InlineData("ttl", "\"0s\"", false)]
    [InlineData("ttl", "\"0ms\"", false)]
    [InlineData("ttl", "\"0h0m\"", false)]
    [InlineData("ttl", "\"5\"", false)]
    [InlineData("ttl", "\"5y\"", false)]
    // Weights of groups without maxBytes.
    [InlineData("weight", "1", true)]
    [InlineData("weight", "1000", true)]
    [InlineData("weight", "0", false)]
    [InlineData("weight", "1001", false)]
    // Eviction policies: the enum the sidecar reads.
    [InlineData("eviction", "\"S3Fifo\"", true)]
    [InlineData("eviction", "\"Lru\"", true)]
    [InlineData("eviction", "\"LFU\"", false)]
    // Loader timeouts: positive, at most 1h.
    [InlineData("loader.timeout", "\"500ms\"", true)]
    [InlineData("loader.timeout", "\"1h\"", true)]
    [InlineData("loader.timeout", "\"59m59s\"", true)]
    [InlineData("loader.timeout", "\"0s\"", false)]
    [InlineData("loader.timeout", "\"1h1s\"", false)]
    [InlineData("loader.timeout", "\"61m\"", false)]
    [InlineData("loader.timeout", "\"2d\"", false)]
    // Loader addresses.
    [InlineData("loader.url", "\"http://localhost:8080/scores/{key}\"", true)]
    [InlineData("loader.url", "\"https://app.ns.svc/v1/{group}/{key}?x=1\"", true)]
    [InlineData("loader.url", "\"http://localhost:65535/{key}\"", true)]
    [InlineData("loader.url", "\"http://localhost:65536/{key}\"", false)]
    [InlineData("loader.url", "\"http:///{key}\"", false)]
    [InlineData("loader.url", "\"http://{key}\"", false)]
    [InlineData("loader.url", "\"ftp://a/{key}\"", false)]
    [InlineData("loader.url", "\"http://a/no-key\"", false)]
    [InlineData("loader.url", "\"http://a b/{key}\"", false)]
    [InlineData("loader.grpc", "\"http://localhost:9000\"", true)]
    [InlineData("loader.grpc", "\"http://[::1]:9000\"", true)]
    [InlineData("loader.grpc", "\"http://loader\"", true)]
    [InlineData("loader.grpc", "\"http://a:99999\"", false)]
    [InlineData("loader.grpc", "\"http://a:b\"", false)]
    [InlineData("loader.grpc", "\"https://a:1\"", false)]
    [InlineData("loader.grpc", "\"http://a/path\"", false)]
    // Limits.
    [InlineData("limits.maxKeyBytes", "1", true)]
    [InlineData("limits.maxKeyBytes", "2047", true)]
    [InlineData("limits.maxKeyBytes", "0", false)]
    [InlineData("limits.maxKeyBytes", "2048", false)]
    [InlineData("limits.maxValueBytes", "0", true)]
    [InlineData("limits.maxValueBytes", "67108864", true)]
    [InlineData("limits.maxValueBytes", "-1", false)]
    [InlineData("limits.maxValueBytes", "67108865", false)]
    public void WhatTheCrdAdmits_TheSidecarAccepts(string field, string json, bool bothTake)
    {
        var cg = CacheGroupWith(field, JsonNode.Parse(json)!);

        var admitted = SchemaValidator.Validate((JsonObject)cg.DeepClone(), Schema, []).Count == 0;
        var accepted = SidecarAccepts(cg, out var why);

        Assert.True(!admitted || accepted, $"the CRD admits {field}={json}, the sidecar refuses it: {why}");
        Assert.Equal(bothTake, admitted);
        Assert.Equal(bothTake, admitted && accepted);
    }

    /// <summary>A valid CacheGroup with one field set to <paramref name="value"/>. Loader fields keep the loader
    /// valid otherwise (a URL loader, or a gRPC one when the field is <c>grpc</c>).</summary>
    private static JsonObject CacheGroupWith(string field, JsonNode value)
    {
        var cg = JsonNode.Parse("""
            { "apiVersion": "k8scache.io/v1alpha1", "kind": "CacheGroup", "metadata": { "name": "edge", "namespace": "default" },
              "spec": { "replicas": 1, "groups": [ { "name": "g", "loader": { "url": "http://localhost:8080/{key}" } } ] } }
            """)!.AsObject();
        var group = cg["spec"]!["groups"]![0]!.AsObject();
        switch (field.Split('.'))
        {
            case ["loader", "grpc"]:
                group["loader"] = new JsonObject { ["grpc"] = value };
                break;
            case ["loader", var key]:
                group["loader"]![key] = value;
                break;
            case ["limits", var key]:
                cg["spec"]!["limits"] = new JsonObject { [key] = value };
                break;
            default:
                group[field] = value;
                break;
        }

        return cg;
    }

    private static bool SidecarAccepts(JsonObject cgJson, out string why)
    {
        why = string.Empty;
        var cg = cgJson.Deserialize(OperatorJsonContext.Default.CacheGroup)!;
        try
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(SidecarConfigRenderer.Render(cg, new RenderOptions())));
            SidecarOptionsReader.Read(new ConfigurationBuilder().AddJsonStream(stream).Build(), "10.0.0.1");
            return true;
        }
        catch (ConfigurationException e)
        {
            why = e.Message;
            return false;
        }
    }

    private static JsonObject LoadSchema()
    {
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "crds", "k8scache.io_cachegroups.yaml"));
        return YamlToJson.ReadDocuments(reader).Single()!["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
    }
}
