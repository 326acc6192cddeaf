using Google.Protobuf;
using Google.Protobuf.Reflection;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>The peers the interop tests run: Debian's own Python (the one that sees python3-grpcio, not a pyenv one
/// earlier on PATH) and Node with the npm packages scripts/install-test-deps.sh installed.</summary>
internal static class InteropTools
{
    public const string DebianPython = "/usr/bin/python3";
    public const string Node = "node";

    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Writes the contract's FileDescriptorSet, taken from the C# generated code's own descriptors, for the
    /// Python peers to build their message classes from.</summary>
    public static string WriteDescriptorSet()
    {
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(CacheReflection.Descriptor.SerializedData));
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(PeerReflection.Descriptor.SerializedData));
        var path = Path.Combine(Path.GetTempPath(), $"k8scache-{Guid.NewGuid():N}.pb");
        File.WriteAllBytes(path, set.ToByteArray());
        return path;
    }

    public static void RequirePythonGrpc()
    {
        if (!File.Exists(DebianPython))
        {
            throw new InvalidOperationException($"{DebianPython} is missing: run scripts/install-test-deps.sh.");
        }
    }

    public static void RequireNodeModules()
    {
        var module = Path.Combine(RepositoryPaths.Interop("node"), "node_modules", "@grpc", "grpc-js");
        if (!Directory.Exists(module))
        {
            throw new InvalidOperationException($"{module} is missing: run scripts/install-test-deps.sh.");
        }
    }
}
