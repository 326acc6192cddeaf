using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;

namespace K8sCache.Operator.Rendering;

/// <summary>
/// The sidecar's JSON configuration for a CacheGroup — the contract of docs/configuration.md. Self is left out: each
/// pod derives it from POD_IP. Rendered deterministically (same spec, same bytes) so an unchanged spec never rewrites
/// the ConfigMap.
/// </summary>
internal static class SidecarConfigRenderer
{
    public const string FileName = "config.json";
    public const string Directory = "/etc/k8scache";
    public const string TokenDirectory = "/var/run/k8scache";
    public const string TokenKey = "peer-token";

    public static string Render(CacheGroup cg, RenderOptions options)
    {
        var groups = new JsonArray();
        foreach (var group in cg.Spec.Groups)
        {
            var g = new JsonObject { ["Name"] = group.Name, ["MaxBytes"] = group.MaxBytes ?? "64Mi" };
            if (group.Ttl is not null)
            {
                g["Ttl"] = group.Ttl;
            }

            if (group.Loader is { } loader)
            {
                var l = new JsonObject();
                if (loader.Url is not null)
                {
                    l["Url"] = loader.Url;
                }

                if (loader.Grpc is not null)
                {
                    l["Grpc"] = loader.Grpc;
                }

                l["Timeout"] = loader.Timeout ?? "2s";
                g["Loader"] = l;
            }

            groups.Add((JsonNode)g);
        }

        var config = new JsonObject
        {
            ["K8sCache"] = new JsonObject
            {
                ["Discovery"] = $"dns:///{ObjectNames.PeerService(cg)}.{cg.Metadata.Namespace}.svc.{options.ClusterDomain}:{Ports.Peer}",
                ["PeerAddress"] = $"0.0.0.0:{Ports.Peer}",
                ["ApiAddress"] = $"127.0.0.1:{Ports.Api}",
                ["GrpcAddress"] = $"127.0.0.1:{Ports.Grpc}",
                ["AdminAddress"] = $"0.0.0.0:{Ports.Metrics}",
                ["PeerTokenFile"] = $"{TokenDirectory}/{TokenKey}",
                ["Limits"] = new JsonObject
                {
                    ["MaxKeyBytes"] = cg.Spec.Limits?.MaxKeyBytes ?? 1024,
                    ["MaxValueBytes"] = cg.Spec.Limits?.MaxValueBytes ?? 1048576,
                },
                ["Groups"] = groups,
            },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
