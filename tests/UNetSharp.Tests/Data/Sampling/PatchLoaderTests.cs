using System.Diagnostics;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Data;
using UNetSharp.Data.Augmentation;
using UNetSharp.Data.Sampling;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Sampling;

public class PatchLoaderTests
{
    private static readonly ICaseSource Source2D = new InMemoryCaseSource(
        [.. Enumerable.Range(0, 4).Select(i => SyntheticCases.Random($"c{i}", [40 + 4 * i, 36], seed: i, channels: 2))]);

    private static LoaderOptions Options(int seed = 5, int prefetch = 2, int workers = 1) => new()
    {
        PatchSize = [32, 32], BatchSize = 3, BatchesPerEpoch = 4, Seed = seed, PrefetchDepth = prefetch, Workers = workers,
        Augmentation = AugmentationPipeline.NnUNetDefault(),
    };

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Reads_one_epoch_of_batches_with_exact_shapes_and_positions()
    {
        using var loader = new PatchLoader(Source2D, Options());
        var positions = new List<LoaderPosition>();
        foreach (var batch in loader.ReadEpoch())
            using (batch)
            {
                Assert.Equal([3L, 2, 32, 32], batch.Image.shape);
                Assert.Equal([3L, 32, 32], batch.Label.shape);
                Assert.Equal(ScalarType.Float32, batch.Image.dtype);
                Assert.Equal(ScalarType.Int64, batch.Label.dtype);
                Assert.Equal(3, batch.CaseIds.Count);
                positions.Add(batch.Position);
            }
        Assert.Equal([new(0, 0), new(0, 1), new(0, 2), new(0, 3)], positions);
        Assert.Equal(new LoaderPosition(1, 0), loader.Position);
    }

    [Fact]
    public void Same_seed_gives_same_batches_for_any_prefetch_depth_or_worker_count()
    {
        var reference = Take(new PatchLoader(Source2D, Options(prefetch: 1, workers: 1)), 6);
        var parallel = Take(new PatchLoader(Source2D, Options(prefetch: 6, workers: 3)), 6);
        var otherSeed = Take(new PatchLoader(Source2D, Options(seed: 6)), 6);
        try
        {
            for (int k = 0; k < 6; k++)
            {
                Assert.True(Same(reference[k].Image, parallel[k].Image), $"batch {k} image differs");
                Assert.True(Same(reference[k].Label, parallel[k].Label), $"batch {k} label differs");
                Assert.Equal(reference[k].CaseIds, parallel[k].CaseIds);
            }
            Assert.Contains(Enumerable.Range(0, 6), k => !Same(reference[k].Image, otherSeed[k].Image));
            Assert.Contains(Enumerable.Range(1, 5), k => !Same(reference[0].Image, reference[k].Image));
        }
        finally
        {
            foreach (var b in reference.Concat(parallel).Concat(otherSeed)) b.Dispose();
        }
    }

    [Fact]
    public void Resuming_from_a_position_continues_the_same_sequence()
    {
        var full = Take(new PatchLoader(Source2D, Options()), 7);
        using var resumed = new PatchLoader(Source2D, Options(workers: 2), start: new LoaderPosition(1, 1));
        Assert.Equal(new LoaderPosition(1, 1), resumed.Position);
        using var next = resumed.Next();
        Assert.Equal(new LoaderPosition(1, 1), next.Position);
        Assert.True(Same(full[5].Image, next.Image));
        Assert.True(Same(full[5].Label, next.Label));
        foreach (var b in full) b.Dispose();
    }

    [Fact]
    public void A_failing_case_load_surfaces_as_that_exception()
    {
        var broken = new DelegateSource(2, i => i == 0 ? SyntheticCases.Random("ok", [40, 40], 1) : throw new InvalidDataException($"case {i} is corrupt"));
        var loader = new PatchLoader(broken, Options() with { BatchSize = 8 });
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => Drain(loader, 100));
        Assert.Equal("case 1 is corrupt", e.Message);
        Assert.Throws<InvalidDataException>(() => loader.Next()); // stays faulted instead of hanging
        loader.Dispose();
        Assert.False(loader.IsRunning);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Dispose_stops_workers_blocked_on_a_full_queue()
    {
        var loader = new PatchLoader(Source2D, Options(prefetch: 2, workers: 2));
        Assert.True(loader.IsRunning);
        using (var first = loader.Next()) { }
        Thread.Sleep(200); // let the workers fill their queues and block
        Assert.True(loader.IsRunning);
        loader.Dispose();
        Assert.False(loader.IsRunning);
        Assert.Throws<ObjectDisposedException>(() => loader.Next());
        loader.Dispose(); // idempotent
    }

    [Fact]
    public void Three_dimensional_batches_and_throughput_helper()
    {
        var source = new CachingCaseSource(new InMemoryCaseSource([SyntheticCases.Random("v", [20, 28, 24], 3)]));
        var options = new LoaderOptions { PatchSize = [16, 16, 16], BatchSize = 2, Seed = 1 };
        using (var loader = new PatchLoader(source, options))
        using (var batch = loader.Next())
        {
            Assert.Equal([2L, 1, 16, 16, 16], batch.Image.shape);
            Assert.Equal([2L, 16, 16, 16], batch.Label.shape);
        }
        var throughput = LoaderThroughput.Measure(source, options, batches: 4, warmupBatches: 1);
        Assert.Equal(4, throughput.Batches);
        Assert.True(throughput.CasesPerSecond > 0);
        Assert.Equal(2 * throughput.BatchesPerSecond, throughput.CasesPerSecond, 6);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ConfigurationException>(() => new PatchLoader(Source2D, Options() with { BatchSize = 0 }));
        Assert.Throws<ConfigurationException>(() => new PatchLoader(Source2D, Options(), start: new LoaderPosition(0, 4)));
        Assert.Throws<UNetSharpException>(() => new PatchLoader(new InMemoryCaseSource([]), Options()));
    }

    private static void Drain(PatchLoader loader, int count)
    {
        for (int i = 0; i < count; i++) loader.Next().Dispose();
    }

    private static List<Batch> Take(PatchLoader loader, int count)
    {
        using (loader) return [.. Enumerable.Range(0, count).Select(_ => loader.Next())];
    }
}
