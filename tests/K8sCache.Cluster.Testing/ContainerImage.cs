namespace K8sCache.Cluster.Testing;

/// <summary>What an image name stands for on this machine: a local build's program and arguments (the image's
/// entrypoint), and the user and group the image runs as (its Dockerfile's <c>USER</c>).</summary>
public sealed record ContainerImage(string File, IReadOnlyList<string> Entrypoint, long Uid, long Gid);
