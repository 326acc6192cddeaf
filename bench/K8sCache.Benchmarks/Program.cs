using BenchmarkDotNet.Running;
using K8sCache.Benchmarks.Grpc;
using K8sCache.Benchmarks.Reports;

// dotnet run -c Release --project bench/K8sCache.Benchmarks -- --filter '*'   BenchmarkDotNet suite
// dotnet run -c Release --project bench/K8sCache.Benchmarks -- ring            ring balance and movement as JSON
if (args is ["ring"])
{
    Console.WriteLine(RingReport.Run());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(UnaryRoundTripBenchmark).Assembly).Run(args);
