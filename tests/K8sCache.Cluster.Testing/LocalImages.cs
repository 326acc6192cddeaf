namespace K8sCache.Cluster.Testing;

/// <summary>
/// The stand-in for an image registry: image names map to local builds, copied once into the cluster's own folder
/// when it starts. Pods and operators run those copies, so a build running beside the tests (which rewrites every
/// <c>bin/Release</c> folder) cannot change a binary under a running pod. Both images run as their Dockerfile's
/// <c>USER</c>, 1654.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalImages
{
    private const int ImageUser = 1654;
    private const UnixFileMode ReadableFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private readonly string _cache;
    private readonly string _demoApp;

    private LocalImages(string cache, string demoApp) => (_cache, _demoApp) = (cache, demoApp);

    /// <summary>The operator's entry assembly, from the same copy as the sidecar.</summary>
    public string OperatorAssembly => Path.Combine(_cache, "k8scache-operator.dll");

    /// <summary>Copies the sidecar and operator (built beside this assembly) and the demo application into
    /// <paramref name="directory"/>/images, readable by the image user.</summary>
    public static LocalImages CopyInto(string directory)
    {
        var demoBuild = Path.Combine(RepositoryPaths.Root, "examples", "DemoApp", "bin", "Release", "net10.0");
        foreach (var (folder, file) in new[] { (AppContext.BaseDirectory, "k8scache-sidecar.dll"), (AppContext.BaseDirectory, "k8scache-operator.dll"), (demoBuild, "k8scache-demo-app.dll") })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                throw new InvalidOperationException($"{Path.Combine(folder, file)} is missing: build the solution first (dotnet build K8sCache.sln -c Release).");
            }
        }

        // Containers run as the image user: they may pass through the cluster's folder, and read the images.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return new LocalImages(Copy(AppContext.BaseDirectory, Path.Combine(directory, "images", "k8scache")), Copy(demoBuild, Path.Combine(directory, "images", "demo-app")));
    }

    public ContainerImage Resolve(string image)
    {
        if (image.Contains("k8scache/sidecar", StringComparison.Ordinal))
        {
            return new ContainerImage("/usr/bin/dotnet", [Path.Combine(_cache, "k8scache-sidecar.dll")], ImageUser, ImageUser);
        }

        if (image.Contains("k8scache/demo-app", StringComparison.Ordinal))
        {
            return new ContainerImage("/usr/bin/dotnet", [Path.Combine(_demoApp, "k8scache-demo-app.dll")], ImageUser, ImageUser);
        }

        throw new NotSupportedException($"no local build for image {image}");
    }

    private static string Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        foreach (var folder in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Append(target).Append(Path.GetDirectoryName(target)!))
        {
            File.SetUnixFileMode(folder, ReadableFolder);
        }

        return target;
    }
}
