using System.Diagnostics;
using UNetSharp.IO;
using static TorchSharp.torch;

namespace UNetSharp.Inference.Jobs;

/// <summary>Progress of a job: <paramref name="Completed"/> of <paramref name="Total"/> inputs done; <paramref name="Finished"/>
/// is the result of the input just done, null when <paramref name="File"/> is about to start.</summary>
public sealed record PredictionProgress(int Completed, int Total, string File, PredictionFileResult? Finished);

/// <summary>
/// `unetsharp predict` as one call: loads the model (batch norms folded), checks every setting and lists the inputs
/// before anything is written, then predicts the inputs one at a time (one image in memory at once) with the sliding
/// window, post-processes, writes the outputs (see <see cref="PredictionOutputs"/>) and predict-summary.json. A file
/// that cannot be read or predicted is reported and skipped; the others' outputs stay.
/// <code>
/// var report = PredictionJob.Run(new PredictionJobOptions { Model = "runs/spleen", Input = "scans/", OutputDir = "masks/", Depth = 2 });
/// </code>
/// A 2D network given a volume (3D NIfTI, multi-page TIFF) predicts it slice by slice along the slowest axis and writes
/// a volume back; a 3D network reads a multi-page TIFF as one volume.
/// </summary>
public sealed class PredictionJob : IDisposable
{
    readonly SlidingWindowPredictor predictor;

    readonly IReadOnlyList<string> plannedOutputs;

    PredictionJob(PredictionJobOptions options, PredictionModel model, IReadOnlyList<string> inputs, int depth, int[] tile, IReadOnlyList<string> outputs, bool instances)
    {
        Options = options; Model = model; Inputs = inputs; Depth = depth; TileSize = tile; plannedOutputs = outputs; Instances = instances;
        predictor = new SlidingWindowPredictor(model.Network, new SlidingWindowOptions
        {
            Depth = depth, TileSize = tile, Overlap = options.Overlap, BatchSize = options.BatchSize,
            MirrorAxes = options.Tta ? null : Array.Empty<int>(), Gating = options.Gating, ReturnProbabilities = options.Probabilities || instances,
        });
    }

    /// <summary>The job writes instance maps (the plan's task or the Instances setting).</summary>
    public bool Instances { get; }

    public PredictionJobOptions Options { get; }
    public PredictionModel Model { get; }
    public IReadOnlyList<string> Inputs { get; }
    public int Depth { get; }
    public int[] TileSize { get; }

    /// <summary>Opens and runs a job; see <see cref="Run(IProgress{PredictionProgress}?, CancellationToken)"/>.</summary>
    public static PredictionJobReport Run(PredictionJobOptions options, IProgress<PredictionProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var job = Open(options);
        return job.Run(progress, cancellation);
    }

    /// <summary>Checks the options, loads the model and lists the inputs; writes nothing. Bad settings throw a
    /// <see cref="UNetSharpException"/> naming the option or file.</summary>
    public static PredictionJob Open(PredictionJobOptions options)
    {
        if (options.Overlap is < 0 or >= 1 || double.IsNaN(options.Overlap)) throw new ConfigurationException($"tile overlap must be in [0, 1), got {options.Overlap}");
        if (options.Threads is < 0) throw new ConfigurationException($"thread count must be 0 (all cores) or more, got {options.Threads}");
        if (options.BatchSize < 1) throw new ConfigurationException($"batch size must be at least 1, got {options.BatchSize}");
        if (options.TileSize is <= 0) throw new ConfigurationException($"tile size must be positive, got {options.TileSize}");
        var inputs = ListInputs(options.Input, options.OutputDir);
        var model = PredictionModel.Load(options.Model, options.FoldBatchNorm);
        try
        {
            var net = model.Network;
            int depth = options.Depth ?? model.Plan.PredictionDepth ?? net.Config.Depth;
            if (!net.PrunableDepths.Contains(depth))
                throw new ConfigurationException($"depth {depth}: {options.Model} can predict at depth {string.Join(", ", net.PrunableDepths)}" +
                    (net.Config.DeepSupervision ? "" : " (it has no deep-supervision heads, so it cannot be pruned)"));
            bool instances = InstanceOutputs.Resolve(options, model);
            var planned = inputs.Select(i => (i, (IReadOnlyList<string>)(instances ? InstanceOutputs.PlannedPaths(options, i, net.Config.Classes)
                : PredictionOutputs.PlannedPaths(options.OutputDir, i, net.Config.Classes, options.Probabilities, options.Overlays)))).ToList();
            PathGuard.RefuseCollisions(planned);
            var outputs = planned.SelectMany(p => p.Item2).Append(Path.Combine(options.OutputDir, PredictionJobReport.FileName)).ToList();
            OutputLedger.RefuseForeign(options.OutputDir, outputs);
            int[] tile = options.TileSize is int t ? Enumerable.Repeat(t, net.Config.Dimensions).ToArray() : model.Plan.PatchSize.ToArray();
            var multiples = net.Config.SizeMultiples;
            if (tile.Length != net.Config.Dimensions || tile.Where((s, a) => s % multiples[a] != 0).Any())
                throw new ConfigurationException($"tile {string.Join("x", tile)} must have {net.Config.Dimensions} axes, each a multiple of {string.Join("x", multiples)} (the product of that axis's strides; 2^depth by default)");
            return new PredictionJob(options, model, inputs, depth, tile, outputs, instances);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Predicts every input in turn, then writes predict-summary.json into the output folder.</summary>
    public PredictionJobReport Run(IProgress<PredictionProgress>? progress = null, CancellationToken cancellation = default)
    {
        int previousThreads = InferenceThreads.Current;
        if (Options.Threads is int threads) InferenceThreads.Set(threads);
        try
        {
            var clock = Stopwatch.StartNew();
            // recorded before the first write: a rerun after a kill may replace these, and only these
            Directory.CreateDirectory(Options.OutputDir);
            OutputLedger.Record(Options.OutputDir, plannedOutputs);
            var results = new List<PredictionFileResult>();
            foreach (string input in Inputs)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new PredictionProgress(results.Count, Inputs.Count, input, null));
                var result = PredictFile(input);
                results.Add(result);
                progress?.Report(new PredictionProgress(results.Count, Inputs.Count, input, result));
            }
            var report = new PredictionJobReport
            {
                Model = Model.WeightsPath, Plan = Model.PlanPath, Depth = Depth, FullDepth = Model.Network.Config.Depth, Tta = Options.Tta,
                Overlap = Options.Overlap, Gating = Options.Gating.ToString().ToLowerInvariant(), TileSize = TileSize,
                Threads = InferenceThreads.Current, FoldedBatchNorms = Model.FoldedLayers, Files = results, Seconds = clock.Elapsed.TotalSeconds,
            };
            AtomicFile.WriteAllText(Path.Combine(Options.OutputDir, PredictionJobReport.FileName), report.ToJson());
            return report;
        }
        finally
        {
            if (Options.Threads is not null) InferenceThreads.Set(previousThreads);
        }
    }

    /// <summary>Predicts one file and writes its outputs; a failure becomes a "failed" result with the reason.</summary>
    public PredictionFileResult PredictFile(string path)
    {
        var clock = Stopwatch.StartNew();
        int[]? shape = null;
        int channels = 0;
        try
        {
            using var scope = NewDisposeScope();
            var input = PredictionInput.Read(path, Model.Plan, Model.Network.Config);
            shape = input.Shape; channels = input.Normalized.Channels;
            var (labels, probabilities, tiles) = Predict(input);
            if (Instances)
            {
                var (written, count) = InstanceOutputs.Write(input, labels, probabilities!, Model.Network.Config.Classes, Options);
                return new PredictionFileResult
                {
                    Input = path, Status = PredictionFileResult.Ok, Shape = shape, Channels = channels, Seconds = clock.Elapsed.TotalSeconds,
                    ForegroundVoxels = labels.LongLength - labels.AsSpan().Count((byte)0), SliceBySlice = input.SliceBySlice, Tiles = tiles,
                    Outputs = written, Instances = count,
                };
            }
            if (Options.KeepLargest) LabelPostProcessing.KeepLargestComponent(labels, input.Shape);
            if (Options.FillHoles) LabelPostProcessing.FillHoles(labels, input.Shape);
            if (!Options.KeepLargest && !Options.FillHoles && Options.PlanPostProcessing) Model.Plan.PostProcessing?.Apply(labels, input.Shape); // chosen on cross-validation
            var outputs = PredictionOutputs.Write(input, labels, probabilities, Model.Network.Config.Classes, Model.Plan, Options.OutputDir, Options.Overlays);
            return new PredictionFileResult
            {
                Input = path, Status = PredictionFileResult.Ok, Shape = shape, Channels = channels, Seconds = clock.Elapsed.TotalSeconds,
                ForegroundVoxels = labels.LongLength - labels.AsSpan().Count((byte)0), SliceBySlice = input.SliceBySlice, Tiles = tiles, Outputs = outputs,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // One bad file must not cost the others: report it in one line (the type too when it is not a user error).
            string message = e is UNetSharpException ? e.Message : $"{path}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
            return new PredictionFileResult
            {
                Input = path, Status = PredictionFileResult.Failed, Error = message, Shape = shape, Channels = channels, Seconds = clock.Elapsed.TotalSeconds,
            };
        }
    }

    /// <summary>Class per voxel, optional probabilities [C, spatial...] and tiles run; volumes slice by slice for a 2D network.</summary>
    (byte[] Labels, float[]? Probabilities, int Tiles) Predict(PredictionInput input) =>
        InputPrediction.Run(predictor, input, Model.Network.Config.Classes, Options.Probabilities);

    /// <summary>The input file, or a folder's image files in name order; an output folder that is, lies inside or
    /// contains the input folder (real paths: symlinks and .. resolved) is refused, as is one that is a file.</summary>
    static IReadOnlyList<string> ListInputs(string input, string outDir)
    {
        if (string.IsNullOrWhiteSpace(input)) throw new ConfigurationException("input path is empty");
        PathGuard.RequireFolderOrAbsent(outDir, "output folder");
        List<string> files;
        if (Directory.Exists(input))
        {
            PathGuard.RefuseOverlap(outDir, "output folder", input, "input folder");
            files = Directory.EnumerateFiles(input).Where(ImageFile.IsSupported).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new DataFormatException(input, "no .nii, .nii.gz, .png, .tif or .tiff images in this folder");
        }
        else if (File.Exists(input))
        {
            PredictionInput.KindOf(input);
            files = [input];
        }
        else throw new DataFormatException(input, "input not found (expected an image file or a folder of images)");
        return files;
    }

    public void Dispose() => Model.Dispose();
}
