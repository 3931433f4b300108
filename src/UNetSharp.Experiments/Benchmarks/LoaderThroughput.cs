using System.Diagnostics;
using UNetSharp.Data;
using UNetSharp.Data.Sampling;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Loader speed as seen by a consumer that does nothing but take batches (the upper bound for training).</summary>
public sealed record LoaderThroughput(int Batches, int BatchSize, TimeSpan Elapsed)
{
    public double BatchesPerSecond => Batches / Elapsed.TotalSeconds;
    public double CasesPerSecond => BatchesPerSecond * BatchSize;

    /// <summary>Takes <paramref name="warmupBatches"/> untimed (thread start, first loads, caches), then times <paramref name="batches"/>.</summary>
    public static LoaderThroughput Measure(ICaseSource source, LoaderOptions options, int batches = 20, int warmupBatches = 2)
    {
        if (batches < 1) throw new ArgumentOutOfRangeException(nameof(batches));
        using var loader = new PatchLoader(source, options);
        for (int i = 0; i < warmupBatches; i++) loader.Next().Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) loader.Next().Dispose();
        return new LoaderThroughput(batches, options.BatchSize, clock.Elapsed);
    }
}
