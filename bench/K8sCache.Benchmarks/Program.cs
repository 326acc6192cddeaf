using BenchmarkDotNet.Running;
using K8sCache.Benchmarks.Grpc;
using K8sCache.Benchmarks.Reports;

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- --filter '*'   BenchmarkDotNet suite
// dotnet run -c Release --project bench/K8sCache.Benchmarks -- ring            ring balance and movement as JSON
// dotnet run -c Release --project bench/K8sCache.Benchmarks -- remote-keys SELF MEMBERS COUNT   keys SELF does not own
if (args is ["ring"])
{
    Console.WriteLine(RingReport.Run());
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- load ADDRESS GROUP COUNT VALUE_BYTES      bulk Set over gRPC
if (args is ["load", var address, var group, var keys, var size])
{
    await BulkLoad.RunAsync(address, group, int.Parse(keys, System.Globalization.CultureInfo.InvariantCulture), int.Parse(size, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- grpc-gets ADDRESS GROUP KEYS SECONDS    Gets over gRPC
if (args is ["grpc-gets", var getAddress, var getGroup, var getKeys, var getSeconds])
{
    await GrpcGets.RunAsync(getAddress, getGroup, int.Parse(getKeys, System.Globalization.CultureInfo.InvariantCulture), int.Parse(getSeconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- kestrel-baseline PORT               bare Kestrel, 100 bytes
if (args is ["kestrel-baseline", var port])
{
    await KestrelBaseline.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- hitratio        miss ratios of the eviction policies
if (args is ["hitratio"])
{
    Console.Write(HitRatioReport.Run());
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- storememory S3Fifo|Lru   bytes per entry of a store layout
if (args is ["storememory", var layout])
{
    Console.Write(StoreMemoryReport.Run(layout));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- fanout ENDPOINTS GROUP INSTANCES WRITES   in-process cache coherence
if (args is ["fanout", var endpoints, var fanGroup, var instances, var writes])
{
    await InvalidationFanOut.RunAsync(endpoints.Split(','), fanGroup, int.Parse(instances, System.Globalization.CultureInfo.InvariantCulture), int.Parse(writes, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- operator-footprint OPERATOR_BINARY RUNS   start time, idle RSS
if (args is ["operator-footprint", var operatorBinary, var footprintRuns])
{
    await OperatorFootprint.RunAsync(operatorBinary, int.Parse(footprintRuns, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- membership SIDECAR_DLL roll|down|up FROM TO KEYS on|off
if (args is ["membership", var sidecarDll, var scenario, var from, var to, var keyCount, var handOver])
{
    await MembershipChange.RunAsync(sidecarDll, scenario, int.Parse(from, System.Globalization.CultureInfo.InvariantCulture), int.Parse(to, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(keyCount, System.Globalization.CultureInfo.InvariantCulture), handOver == "on");
    return;
}

if (args is ["remote-keys", var self, var members, var count])
{
    RingReport.RemoteKeys(self, members.Split(','), int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(UnaryRoundTripBenchmark).Assembly).Run(args);
