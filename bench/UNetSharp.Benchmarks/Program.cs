using BenchmarkDotNet.Running;

// Micro-benchmarks of hot pieces (run: dotnet run -c Release --project bench/UNetSharp.Benchmarks -- --filter '*').
// Whole-model and pipeline benchmarks are `unetsharp bench ...` commands that write JSON (docs/BENCHMARKS.md).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
