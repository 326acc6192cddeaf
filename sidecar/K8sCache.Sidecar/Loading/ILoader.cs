namespace K8sCache.Sidecar.Loading;

/// <summary>Fills a miss from the origin. Throws <see cref="LoaderException"/> for any failure (never caches it).</summary>
internal interface ILoader : IDisposable
{
    /// <summary>The loader's transport for traces and metrics: <c>http</c> or <c>grpc</c>.</summary>
    string Kind { get; }

    Task<LoadResult> LoadAsync(string group, string key, CancellationToken cancellationToken);
}
