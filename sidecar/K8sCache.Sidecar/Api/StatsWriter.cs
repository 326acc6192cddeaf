using System.Text.Json;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Api;

/// <summary><c>GET /v1/stats</c>: the node, its ring and every group's counters and caches, as JSON.</summary>
internal static class StatsWriter
{
    public static async Task WriteAsync(HttpContext context, CacheNode node, PeerSet peers)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("node", peers.Self);
        json.WriteBoolean("ready", peers.IsReady);
        json.WriteStartObject("ring");
        json.WriteNumber("version", peers.Ring.Version);
        json.WriteString("fingerprint", peers.Ring.Fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("viewMismatches", peers.ViewMismatches);
        json.WriteNumber("peersDown", peers.DownCount);
        json.WriteNumber("peersMarkedDown", peers.MarkedDown);
        json.WriteStartArray("members");
        foreach (var member in peers.Ring.Members)
        {
            json.WriteStringValue(member);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("groups");
        foreach (var group in node.Groups.OrderBy(g => g.Name, StringComparer.Ordinal))
        {
            WriteGroup(json, group);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteGroup(Utf8JsonWriter json, Group group)
    {
        var s = group.Stats;
        json.WriteStartObject(group.Name);
        json.WriteNumber("gets", Volatile.Read(ref s.Gets));
        json.WriteNumber("cacheHits", Volatile.Read(ref s.CacheHits));
        json.WriteNumber("hotHits", Volatile.Read(ref s.HotHits));
        json.WriteNumber("peerLoads", Volatile.Read(ref s.PeerLoads));
        json.WriteNumber("peerErrors", Volatile.Read(ref s.PeerErrors));
        json.WriteNumber("ownerDownLoads", Volatile.Read(ref s.OwnerDownLoads));
        json.WriteNumber("misses", Volatile.Read(ref s.Misses));
        json.WriteNumber("loadsDeduped", Volatile.Read(ref s.LoadsDeduped));
        json.WriteNumber("localLoads", Volatile.Read(ref s.LocalLoads));
        json.WriteNumber("localLoadErrors", Volatile.Read(ref s.LocalLoadErrors));
        json.WriteNumber("serverRequests", Volatile.Read(ref s.ServerRequests));
        json.WriteNumber("invalidations", Volatile.Read(ref s.Invalidations));
        json.WriteNumber("handOverReceived", Volatile.Read(ref s.HandOverReceived));
        json.WriteNumber("handOverRejected", Volatile.Read(ref s.HandOverRejected));
        json.WriteNumber("handOverPulls", Volatile.Read(ref s.HandOverPulls));
        WriteCache(json, "main", group.Main);
        WriteCache(json, "hot", group.Hot);
        json.WriteEndObject();
    }

    private static void WriteCache(Utf8JsonWriter json, string name, ICacheStore store)
    {
        json.WriteStartObject(name);
        json.WriteNumber("bytes", store.Bytes);
        json.WriteNumber("maxBytes", store.MaxBytes);
        json.WriteNumber("items", store.Count);
        json.WriteNumber("evictions", store.Evictions);
        json.WriteEndObject();
    }
}
