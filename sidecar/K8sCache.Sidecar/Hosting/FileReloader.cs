using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Looks at a mounted file every 2 s and applies it when its content changed. Polled rather than watched: a ConfigMap
/// or Secret volume updates by swapping a symlink (<c>..data</c>), which file-change events miss. Content that cannot
/// be applied is reported to <see cref="Rejected"/> and the node goes on with what it had.
/// </summary>
internal abstract class FileReloader(string path, TimeProvider timeProvider) : BackgroundService
{
    protected string Path { get; } = path;

    /// <summary>Applies the file's new content; throws <see cref="ConfigurationException"/> (or an IO or format
    /// error) when it cannot.</summary>
    protected abstract void Apply();

    protected abstract void Rejected(string reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = new PolledFile(Path);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!file.Changed())
                {
                    continue;
                }

                try
                {
                    Apply();
                }
                catch (Exception e) when (e is ConfigurationException or FormatException or InvalidDataException or IOException)
                {
                    Rejected(e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
