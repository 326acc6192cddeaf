using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>A WATCHed key and its digest when it was watched (see <see cref="RespOwnerCommands.DigestOf"/>).</summary>
internal sealed record RespWatch(Group Group, string Key, string Digest);
