using System.Diagnostics;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Pipeline;

/// <summary>
/// Measures <see cref="CostEstimate"/> on a throwaway copy of the planned network with random data of the planned batch
/// and patch: the run's own network, optimiser state, random stream and thread count are untouched (the copy is built
/// under <see cref="TorchStateScope"/>), so a run trains exactly as without the probe. The first steps pay one-off
/// allocations and are not timed, as in the time budget's own measurement.
/// </summary>
public static class TrainingCostProbe
{
    public const int UntimedSteps = 2, TimedSteps = 3;

    public static CostEstimate Measure(ExperimentPlan plan, TrainingConfig training, int batchesPerEpoch, IReadOnlyList<SegmentationCase> validation)
    {
        using var torchState = TorchStateScope.Save();
        if (training.Threads is int threads) set_num_threads(threads);
        manual_seed(0);
        var config = plan.Network;
        using var net = new SegmentationNetwork(config);
        using var optimizer = OptimizerFactory.Create(net.parameters(), training);
        var loss = new SegmentationLoss(training.Loss, config.Classes);
        long[] imageShape = [plan.BatchSize, config.InChannels, .. plan.PatchSize.Select(s => (long)s)];
        long[] labelShape = [plan.BatchSize, .. plan.PatchSize.Select(s => (long)s)];

        net.train();
        var clock = new Stopwatch();
        for (int step = 0; step < UntimedSteps + TimedSteps; step++)
        {
            using var scope = NewDisposeScope();
            var images = randn(imageShape);
            var labels = randint(0, Math.Max(2, config.Classes), labelShape, dtype: ScalarType.Int64);
            if (step == UntimedSteps) clock.Start();
            optimizer.zero_grad();
            loss.Compute(net.forward(images), labels).Total.backward();
            optimizer.step();
        }
        clock.Stop();
        double perStep = clock.Elapsed.TotalSeconds / TimedSteps;

        // validation: one tile's forward (eval, no gradients) times the tiles over the validation cases
        net.eval();
        double perTile;
        using (no_grad())
        {
            using var scope = NewDisposeScope();
            var tile = randn([1, config.InChannels, .. plan.PatchSize.Select(s => (long)s)]);
            net.Forward(tile, config.Depth);
            var tileClock = Stopwatch.StartNew();
            net.Forward(tile, config.Depth);
            perTile = tileClock.Elapsed.TotalSeconds;
        }
        long tiles = validation.Sum(c => Tiles(c, plan, config));
        double perValidation = tiles * perTile;

        long steps = training.TotalIterations(batchesPerEpoch);
        int epochs = training.TotalEpochs(batchesPerEpoch);
        int validations = epochs / Math.Max(1, training.ValidateEvery) + (epochs % Math.Max(1, training.ValidateEvery) != 0 ? 1 : 0);
        int depths = config.DeepSupervision ? config.Depth : 1;
        double final = perValidation * depths; // an upper bound: shallower depths run fewer nodes
        double total = training.CountPending ? training.TimeBudgetSeconds!.Value + final : steps * perStep + validations * perValidation + final;
        return new CostEstimate(Math.Round(perStep, 4), TimedSteps, training.CountPending ? 0 : steps, Math.Round(perValidation, 3),
            training.CountPending ? 0 : validations, Math.Round(final, 3), Math.Round(total, 1), get_num_threads());
    }

    /// <summary>The estimate in one line before training; over <see cref="CostEstimate.LongRunSeconds"/> a warning that says how to shorten the run.</summary>
    public static void Log(ILogger log, CostEstimate e)
    {
        string steps = e.Steps > 0 ? $"{e.Steps} steps = {TrainingRun.FormatBudget(e.Steps * e.SecondsPerStep)}, {e.Validations} validations of {e.SecondsPerValidation:F1} s" : "steps fixed by the time budget";
        log.LogInformation("estimate: {PerStep:F3} s per step ({Timed} steps timed after {Warm} warm-up, {Threads} threads); {Steps}; final evaluation {Final:F0} s; total about {Total}",
            e.SecondsPerStep, e.TimedSteps, UntimedSteps, e.Threads, steps, e.FinalEvaluationSeconds, TrainingRun.FormatBudget(e.TotalSeconds));
        if (e.TotalSeconds > CostEstimate.LongRunSeconds && e.Steps > 0)
            log.LogWarning("this run is estimated at {Total}: set a time budget (time_budget, e.g. 1h: the steps that fit are fixed after the first ones), or smaller widths, patch or epochs",
                TrainingRun.FormatBudget(e.TotalSeconds));
    }

    /// <summary>Tiles the sliding window takes over a case (slice by slice for the 2D configuration of volumes).</summary>
    static long Tiles(SegmentationCase c, ExperimentPlan plan, NetworkConfig config)
    {
        var shape = config.Dimensions == 2 && c.Dimensions == 3 ? c.Shape[1..] : c.Shape;
        long slices = config.Dimensions == 2 && c.Dimensions == 3 ? c.Shape[0] : 1;
        var grid = TileGrid.Plan(shape, 1, plan.PatchSize.ToArray(), int.MaxValue, new SlidingWindowOptions().Overlap); // the patch is the tile
        return slices * grid.TileCount;
    }
}
