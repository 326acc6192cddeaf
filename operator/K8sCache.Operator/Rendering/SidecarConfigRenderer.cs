using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;

namespace K8sCache.Operator.Rendering;

/// <summary>
/// The sidecar's JSON configuration for a CacheGroup — the contract of docs/configuration.md. It carries what the
/// operator decides (discovery through the headless Service, the token's path) and what the user set, nothing else:
/// every default is the sidecar's own, so it has one home. Self is left out: each pod derives it from POD_IP. The
/// addresses are left out too: the sidecar's defaults are the container ports of <see cref="Ports"/> (a contract test
/// keeps them equal). Rendered deterministically (same spec, same bytes) so an unchanged spec never rewrites the
/// ConfigMap.
/// </summary>
internal static class SidecarConfigRenderer
{
    public const string FileName = "config.json";
    public const string Directory = "/etc/k8scache";
    public const string TokenDirectory = "/var/run/k8scache";
    public const string TokenKey = "peer-token";

    /// <summary>Where the Redis endpoint's Unix domain socket lives when the CacheGroup asks for one: an emptyDir that
    /// the application's containers mount at the same path.</summary>
    public const string RespSocketDirectory = "/var/run/k8scache-redis";
    public const string RespSocketPath = RespSocketDirectory + "/redis.sock";

    public static string Render(CacheGroup cg, RenderOptions options)
    {
        var groups = new JsonArray();
        foreach (var group in cg.Spec.Groups)
        {
            var g = new JsonObject { ["Name"] = group.Name };
            if (group.MaxBytes is not null)
            {
                g["MaxBytes"] = group.MaxBytes;
            }

            if (group.Ttl is not null)
            {
                g["Ttl"] = group.Ttl;
            }

            if (group.Weight is { } weight)
            {
                g["Weight"] = weight;
            }

            if (group.Eviction is not null)
            {
                g["Eviction"] = group.Eviction;
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

                if (loader.Timeout is not null)
                {
                    l["Timeout"] = loader.Timeout;
                }

                g["Loader"] = l;
            }

            groups.Add((JsonNode)g);
        }

        var section = new JsonObject
        {
            ["Discovery"] = $"dns:///{ObjectNames.PeerService(cg)}.{cg.Metadata.Namespace}.svc.{options.ClusterDomain}:{Ports.Peer}",
            ["PeerTokenFile"] = $"{TokenDirectory}/{TokenKey}",
        };
        if (cg.Spec.Limits is { } limits)
        {
            var l = new JsonObject();
            if (limits.MaxKeyBytes is { } maxKey)
            {
                l["MaxKeyBytes"] = maxKey;
            }

            if (limits.MaxValueBytes is { } maxValue)
            {
                l["MaxValueBytes"] = maxValue;
            }

            section["Limits"] = l;
        }

        if (cg.Spec.Resp is { } resp && (resp.DefaultGroup is not null || resp.UnixSocket == true))
        {
            var r = new JsonObject();
            if (resp.DefaultGroup is { } defaultGroup)
            {
                if (cg.Spec.Groups.All(g => g.Name != defaultGroup))
                {
                    throw new InvalidSpecException($"spec.resp.defaultGroup: '{defaultGroup}' is not one of spec.groups ({string.Join(", ", cg.Spec.Groups.Select(g => g.Name))})");
                }

                r["DefaultGroup"] = defaultGroup;
            }

            if (resp.UnixSocket == true)
            {
                r["UnixSocket"] = RespSocketPath;
            }

            section["Resp"] = r;
        }

        section["Groups"] = groups;
        var config = new JsonObject { ["K8sCache"] = section };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
