using System.Text.Json.Nodes;
using K8sCache.Operator.Api;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>CacheGroups the tests render: a minimal one (defaults everywhere) and a full one (every field set).</summary>
internal static class CacheGroups
{
    public static CacheGroup Minimal() => new()
    {
        Metadata = new ObjectMeta { Name = "scores", Namespace = "games", Uid = "uid-1" },
        Spec = new CacheGroupSpec { Groups = [new GroupSpec { Name = "scores" }] },
    };

    public static CacheGroup Full() => new()
    {
        Metadata = new ObjectMeta { Name = "shop", Namespace = "prod", Uid = "uid-2", Generation = 4 },
        Spec = new CacheGroupSpec
        {
            Replicas = 5,
            Groups =
            [
                new GroupSpec { Name = "products", MaxBytes = "256Mi", Ttl = "10m", Loader = new LoaderSpec { Url = "http://localhost:8080/products/{key}", Timeout = "500ms" } },
                new GroupSpec { Name = "prices", MaxBytes = "32Mi", Weight = 2, Loader = new LoaderSpec { Grpc = "http://localhost:9000" } },
                new GroupSpec { Name = "sessions", MaxBytes = "16Mi", Ttl = "30m", Eviction = "Lru" },
            ],
            Limits = new LimitsSpec { MaxKeyBytes = 512, MaxValueBytes = 262144 },
            Template = JsonNode.Parse("""
                {
                  "metadata": { "labels": { "app": "shop" }, "annotations": { "team": "checkout" } },
                  "spec": {
                    "serviceAccountName": "shop",
                    "containers": [
                      { "name": "shop", "image": "example.com/shop:1.2", "ports": [ { "name": "http", "containerPort": 8080 } ],
                        "env": [ { "name": "CACHE_URL", "value": "http://127.0.0.1:7071" } ] }
                    ]
                  }
                }
                """)!.AsObject(),
            NetworkPolicy = new NetworkPolicySpec
            {
                Enabled = true,
                MetricsFrom = [JsonNode.Parse("""{ "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "monitoring" } } }""")!.AsObject()],
                ApplicationFrom = [JsonNode.Parse("""{ "podSelector": { "matchLabels": { "app": "storefront" } } }""")!.AsObject()],
            },
            Resp = new RespSpec { DefaultGroup = "sessions", UnixSocket = true },
            Sidecar = new SidecarSpec
            {
                Image = "registry.example.com/k8scache/sidecar:2.0",
                ImagePullPolicy = "Always",
                Resources = JsonNode.Parse("""{ "requests": { "cpu": "250m", "memory": "512Mi" }, "limits": { "memory": "512Mi" } }""")!.AsObject(),
            },
        },
    };
}
