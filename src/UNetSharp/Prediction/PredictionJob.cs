using System.Diagnostics;
using UNetSharp.IO;
using UNetSharp.Inference;
using UNetSharp.Labels;
using static TorchSharp.torch;

namespace UNetSharp.Prediction;

/// <summary>Progress of a job: <paramref name="Completed"/> of <paramref name="Total"/> inputs done; <paramref name="Finished"/>
/// is the result of the input just done, null when <paramref name="File"/> is about to start.</summary>
public sealed record PredictionProgress(int Completed, int Total, string File, PredictionFileResult? Finished);

/// <summary>
/// `unetsharp predict` as one call: opens the <see cref="PredictionService"/> (the model or the ensemble, any
/// <see cref="IPredictionEngine"/>), checks every setting and lists the inputs before anything is written, then predicts
/// the inputs one at a time (one image in memory at once) with the service and writes the outputs (see <see cref="PredictionOutputs"/>) and predict-summary.json. A file
/// that cannot be read or predicted is reported and skipped; the others' outputs stay.
/// <code>
/// var report = PredictionJob.Run(new PredictionJobOptions { Model = "runs/spleen", Input = "scans/", OutputDir = "masks/", Depth = 2 });
/// </code>
/// A 2D network given a volume (3D NIfTI, multi-page TIFF) predicts it slice by slice along the slowest axis and writes
/// a volume back; a 3D network reads a multi-page TIFF as one volume.
/// </summary>
public sealed class PredictionJob : IDisposable
{
    readonly PredictionService service;

    /// <summary>Every output of every input (all shards) and every summary: recorded in the ledger before the first write.</summary>
    readonly IReadOnlyList<string> plannedOutputs;

    /// <summary>Each input's own outputs, to tell whether they are all there already.</summary>
    readonly IReadOnlyDictionary<string, IReadOnlyList<string>> outputsByInput;

    bool outputFolderReady, preparingOutputFolder;

    PredictionJob(PredictionJobOptions options, PredictionService service, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        IReadOnlyDictionary<string, IReadOnlyList<string>> byInput)
    {
        Options = options; this.service = service; Inputs = inputs; plannedOutputs = outputs; outputsByInput = byInput;
    }

    /// <summary>The job writes instance maps (the plan's task or the Instances setting).</summary>
    public bool Instances => service.Instances;

    public PredictionJobOptions Options { get; }

    /// <summary>The first model (an ensemble's others agree with it on classes, channels and pre-processing).</summary>
    public PredictionModel Model => service.Model;

    /// <summary>Every model; more than one is an ensemble.</summary>
    public IReadOnlyList<PredictionModel> Models => service.Models;

    /// <summary>This job's inputs: every input, or its shard's.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Depth of the first model.</summary>
    public int Depth => service.Depth;

    /// <summary>Each model's depth.</summary>
    public IReadOnlyList<int> Depths => service.Depths;
    public int[] TileSize => service.TileSize;

    /// <summary>Where this job's summary goes (one per shard).</summary>
    public string SummaryPath => Path.Combine(Options.OutputDir, PredictionJobReport.FileNameFor(Options.Shard));

    /// <summary>Opens and runs a job; see <see cref="Run(IProgress{PredictionProgress}?, CancellationToken)"/>.</summary>
    public static PredictionJobReport Run(PredictionJobOptions options, IProgress<PredictionProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var job = Open(options);
        return job.Run(progress, cancellation);
    }

    /// <summary>Checks the options, loads the model(s) (<see cref="PredictionService.Open"/>) and lists the inputs;
    /// writes nothing. Bad settings throw a <see cref="UNetSharpException"/> naming the option or file.</summary>
    public static PredictionJob Open(PredictionJobOptions options)
    {
        if (options.Threads is < 0) throw new ConfigurationException($"thread count must be 0 (all cores) or more, got {options.Threads}");
        options.Service.Validate();
        var allInputs = ListInputs(options.Input, options.OutputDir);
        var service = PredictionService.Open(options.Service);
        try
        {
            if (options.InstanceTable && !service.Instances) throw new ConfigurationException("the instance table setting needs instance prediction (the instances setting)");
            int classes = service.Model.Config.Classes;
            var planned = allInputs.Select(i => (i, (IReadOnlyList<string>)(service.Instances ? InstanceOutputs.PlannedPaths(options, i, classes)
                : PredictionOutputs.PlannedPaths(options.OutputDir, i, classes, options.Probabilities, options.Overlays)))).ToList();
            PathGuard.RefuseCollisions(planned);
            // Every shard plans (and records) the outputs of all inputs and every shard's summary: shards writing the ledger
            // at once then all write the same list, and none of them may overwrite a file that is not ours.
            var summaries = options.Shard is { } sh ? Enumerable.Range(0, sh.Count).Select(k => PredictionJobReport.FileNameFor(new PredictionShard(k, sh.Count)))
                : [PredictionJobReport.FileName];
            var outputs = planned.SelectMany(p => p.Item2).Concat(summaries.Select(n => Path.Combine(options.OutputDir, n))).ToList();
            OutputLedger.RefuseForeign(options.OutputDir, outputs);
            var inputs = options.Shard?.Select(allInputs) ?? allInputs;
            var byInput = planned.ToDictionary(p => p.i, p => p.Item2);
            return new PredictionJob(options, service, inputs, outputs, byInput);
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Predicts every input in turn, then writes the summary into the output folder. The output folder and its ledger are
    /// created with the first output: a batch whose every input fails writes nothing and throws (a bad input, as a bad
    /// argument), one where some fail reports them in the summary.
    /// </summary>
    public PredictionJobReport Run(IProgress<PredictionProgress>? progress = null, CancellationToken cancellation = default)
    {
        int previousThreads = InferenceThreads.Current;
        if (Options.Threads is int threads) InferenceThreads.Set(threads);
        try
        {
            var clock = Stopwatch.StartNew();
            var results = new List<PredictionFileResult>();
            foreach (string input in Inputs)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new PredictionProgress(results.Count, Inputs.Count, input, null));
                var result = Options.SkipExisting && outputsByInput[input].All(File.Exists)
                    ? new PredictionFileResult { Input = input, Status = PredictionFileResult.Skipped, Outputs = outputsByInput[input] }
                    : PredictFile(input);
                results.Add(result);
                progress?.Report(new PredictionProgress(results.Count, Inputs.Count, input, result));
            }
            if (results.Count > 0 && results.All(r => r.Status == PredictionFileResult.Failed))
                throw new PredictionBatchFailedException(results);
            var report = new PredictionJobReport
            {
                Model = Model.WeightsPath, Plan = Model.PlanPath, Depth = Depth, FullDepth = Model.Config.Depth, Tta = Options.Tta,
                Overlap = Options.Overlap, Gating = Options.Gating.ToString().ToLowerInvariant(), TileSize = TileSize,
                Threads = InferenceThreads.Current, FoldedBatchNorms = Model.FoldedLayers, Files = results, Seconds = clock.Elapsed.TotalSeconds,
                Engine = Model.Predictor.Engine, Models = Models.Select((m, k) => new EnsembleModelReport(m.WeightsPath, Depths[k], m.Predictor.Engine)).ToList(),
                Shard = Options.Shard?.ToString(),
            };
            PrepareOutputFolder();
            AtomicFile.WriteAllText(SummaryPath, report.ToJson());
            return report;
        }
        finally
        {
            if (Options.Threads is not null) InferenceThreads.Set(previousThreads);
        }
    }

    /// <summary>Creates the output folder and records every planned output in its ledger, once, before the first write:
    /// a rerun after a kill may replace these, and only these.</summary>
    void PrepareOutputFolder()
    {
        if (outputFolderReady) return;
        preparingOutputFolder = true;   // a failure here is the folder's (exit 1), not the input's: it is not caught per file
        Directory.CreateDirectory(Options.OutputDir);
        OutputLedger.Record(Options.OutputDir, plannedOutputs);
        outputFolderReady = true;
        preparingOutputFolder = false;
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
            var input = service.Read(path);
            shape = input.Shape; channels = input.Normalized.Channels;
            var prediction = service.Predict(input);
            PrepareOutputFolder();
            var outputs = service.Write(input, prediction, Options.OutputDir, Options.Outputs);
            return new PredictionFileResult
            {
                Input = path, Status = PredictionFileResult.Ok, Shape = shape, Channels = channels, Seconds = clock.Elapsed.TotalSeconds,
                ForegroundVoxels = prediction.ForegroundVoxels, SliceBySlice = input.SliceBySlice, GrayFromColour = input.GrayFromColour, Tiles = prediction.Tiles, Outputs = outputs,
                Instances = prediction.Instances is null ? null : prediction.InstanceCount,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException && !preparingOutputFolder)
        {
            // One bad file must not cost the others: report it in one line (the type too when it is not a user error).
            string message = e is UNetSharpException ? e.Message : $"{path}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
            return new PredictionFileResult
            {
                Input = path, Status = PredictionFileResult.Failed, Error = message, Shape = shape, Channels = channels, Seconds = clock.Elapsed.TotalSeconds,
            };
        }
    }

    /// <summary>
    /// The class-index label map of one input, post-processed as the options say, on the input's own grid; writes nothing
    /// and throws on a bad input (for callers that score predictions in memory, e.g. a benchmark on held-out cases).
    /// </summary>
    public (PredictionInput Input, byte[] Labels) PredictLabels(string path)
    {
        if (Instances) throw new ConfigurationException("PredictLabels gives class maps; this job decodes instances");
        using var scope = NewDisposeScope();
        var input = service.Read(path);
        return (input, service.Predict(input).Labels);
    }

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
            // nnU-Net channel files: case_0001.. are read with their case_0000, not predicted alone
            files = files.Where(f => !PredictionOutputs.IsOtherChannelOfACase(f)).ToList();
            // a folder of DICOM files: one series, or several predicted separately (one output per SeriesInstanceUID)
            if (files.Count == 0 && UNetSharp.IO.Dicom.DicomSeries.IsDicomInput(input)) files = UNetSharp.IO.Dicom.DicomInput.Expand(input).ToList();
            if (files.Count == 0) throw new DataFormatException(input, "no .nii, .nii.gz, .png, .tif or .tiff images, and no DICOM series, in this folder");
        }
        else if (File.Exists(input) && PredictionInput.IsDicom(input)) files = UNetSharp.IO.Dicom.DicomInput.Expand(input).ToList();
        else if (File.Exists(input))
        {
            PredictionInput.KindOf(input);
            files = [input];
        }
        else throw new DataFormatException(input, "input not found (expected an image file or a folder of images)");
        return files;
    }

    public void Dispose() => service.Dispose();
}

/// <summary>Every input of a batch failed before any output was written: a bad input, as a bad argument (nothing written).
/// <see cref="Files"/> has each input's reason; the message quotes the first.</summary>
public sealed class PredictionBatchFailedException(IReadOnlyList<PredictionFileResult> files) : UNetSharpException(
    files.Count == 1 ? $"{files[0].Error}; nothing written" : $"all {files.Count} inputs failed, nothing written; the first: {files[0].Error}")
{
    public IReadOnlyList<PredictionFileResult> Files { get; } = files;
}
