using BenchmarkDotNet.Running;
using K8sCache.Benchmarks.Grpc;

BenchmarkSwitcher.FromAssembly(typeof(UnaryRoundTripBenchmark).Assembly).Run(args);
