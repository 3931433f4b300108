using System.Text.Json;
using UNetSharp.Prediction;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Instances;

/// <summary>train → predict with the instances task on a tiny paired set of touching discs (16-bit instance label PNGs).</summary>
public sealed class InstanceTrainingRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-instrun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Images with two touching bright discs on a dark background; labels are the discs' instance ids (300, 301: above 8 bits).</summary>
    void WriteTouchingDiscs(int cases)
    {
        var rng = new Random(5);
        for (int c = 0; c < cases; c++)
        {
            int[] shape = [32, 32];
            var label = new int[32 * 32];
            double y = 12 + rng.Next(0, 8), x = 9 + rng.Next(0, 4);
            InstanceShapes.Ball(label, shape, [y, x], 6, 300);
            InstanceShapes.Ball(label, shape, [y, x + 11], 6, 301);
            var image = label.Select(v => v != 0 ? 200f + rng.Next(0, 30) : 30f + rng.Next(0, 30)).ToArray();
            PngFile.Write(Path.Combine(dir, "data", "images", $"c{c}.png"), new RasterImage(image, 1, shape, 8));
            PngFile.Write(Path.Combine(dir, "data", "labels", $"c{c}.png"), new RasterImage(label.Select(v => (float)v).ToArray(), 1, shape, 16), 16);
        }
    }

    [Fact, Trait("Category", "Slow")] // a training run, ~40 s on the shared machine
    public void The_instances_task_is_planned_trained_on_three_classes_and_evaluated_with_both_decoders_at_every_depth()
    {
        WriteTouchingDiscs(6);
        string run = Path.Combine(dir, "run");
        var defaults = RunSettings.Default;
        TrainingRun.Run(new TrainRunOptions
        {
            Settings = defaults with
            {
                Data = Path.Combine(dir, "data"), Out = run,
                Dataset = defaults.Dataset with { DataSeed = 2, Instances = true, BorderWidth = 1.5 },
                Network = defaults.Network with { Depth = 2, Widths = [4, 8, 8], HeadInit = HeadInitKind.Default },
                Plan = defaults.Plan with { BatchSize = 2, PatchSize = [32, 32] },
                Optimisation = defaults.Optimisation with { Epochs = 2, LearningRate = 3e-3, BatchesPerEpoch = 3 },
                Validation = defaults.Validation with { Overlays = 1 },
            },
        });

        var plan = ExperimentPlan.Load(run);
        Assert.Equal(1.5, plan.Instances!.BorderWidth);
        Assert.Equal([0, 1, 2], plan.ClassValues);
        Assert.Equal(3, plan.Network.Classes);
        // the decoders tuned per depth are among the run's inference choices, read by predict
        var inference = InferenceChoices.Load(run).InstanceDecoders!;
        Assert.Equal([1, 2], inference.Select(t => t.Depth));
        Assert.Equal(inference[0].Watershed with { Method = InstanceDecoderKind.Watershed }, InferenceChoices.TunedDecoding(run, 1, InstanceDecoderKind.Watershed));

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, InstanceValidationReport.FileName)));
        var depths = report.RootElement.GetProperty("depths");
        Assert.Equal([1, 2], depths.EnumerateArray().Select(d => d.GetProperty("depth").GetInt32()));
        foreach (var d in depths.EnumerateArray())
            foreach (string decoder in new[] { "watershed", "connected_components" })
                Assert.Equal(1, d.GetProperty(decoder).GetProperty("cases").GetInt32()); // 20 % of 6 cases, rounded
        string validationCase = report.RootElement.GetProperty("validation_cases")[0].GetString()!;
        // The decoders are tuned on training cases only (5 of them here, all there are), never on the validation case.
        var tuning = report.RootElement.GetProperty("tuning_cases").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(5, tuning.Count);
        Assert.DoesNotContain(validationCase, tuning);
        Assert.Subset(RunSplit.Load(run).Train.ToHashSet(), tuning.ToHashSet());
        int chosen = report.RootElement.GetProperty("chosen_depth").GetInt32();
        var tuned = InstanceDecodingTuned.Load(run, chosen, InstanceDecoderKind.Watershed)!;
        Assert.Equal(InstanceDecoderKind.ConnectedComponents, InstanceDecodingTuned.Load(run, chosen, InstanceDecoderKind.ConnectedComponents)!.Method);
        using (var model = PredictionModel.Load(run))
        {
            var job = new PredictionJobOptions { Model = run, Input = dir, OutputDir = dir };
            Assert.Equal(tuned, InstanceOutputs.Decoding(job.InstanceDecoding, job.InstanceDecoder, model, chosen)); // predict's default: the run's tuned watershed
            var explicitSettings = new InstanceDecodingOptions { MinSize = 2 };
            Assert.Same(explicitSettings, InstanceOutputs.Decoding(explicitSettings, job.InstanceDecoder, model, chosen));
        }
        Assert.True(File.Exists(Path.Combine(run, "overlays", $"{validationCase}_instances.png")));

        // The run predicts instance maps by default (the plan's task): 16-bit PNG, ids 1..n.
        var prediction = PredictionJob.Run(new PredictionJobOptions
        {
            Model = run, Input = Path.Combine(dir, "data", "images", $"{validationCase}.png"), OutputDir = Path.Combine(dir, "pred"),
        });
        var file = Assert.Single(prediction.Files);
        Assert.True(file.Succeeded, file.Error);
        string map = Path.Combine(dir, "pred", $"{validationCase}.png");
        Assert.Equal(16, PngFile.Read(map).BitDepth);
        var ids = ImageFile.ReadLabels(map).Labels;
        Assert.Equal(file.Instances, ids.Max());
    }
}
