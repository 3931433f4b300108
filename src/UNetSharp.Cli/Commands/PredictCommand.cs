using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Onnx;
using UNetSharp.Inference;
using UNetSharp.Pipeline;
using UNetSharp.Prediction;
using UNetSharp.Instances;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp predict`: label maps (and optionally probabilities and overlays) for an image or a folder of images.
/// Exit codes: 0 every file predicted (or skipped), 2 bad arguments, model or input path, or every input failed (nothing
/// written), 3 some files failed (each reported; the others' outputs and predict-summary.json are written).
/// </summary>
public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public const int SomeFilesFailed = 3;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>"), Description("run folder (best.ckpt, else last.ckpt, + plan.json), checkpoint, .safetensors/.pth/.dat weights with plan.json beside it, or an exported .onnx model; several (--model A B, or a folder of fold_* run folders) are an ensemble whose probabilities are averaged")]
        public string[]? Model { get; init; }

        [CommandOption("--cv-model <WHICH>"), Description("a cross-validation folder as --model predicts with: ensemble (its fold_0..fold_k-1, probabilities averaged) | all (its fold_all model, trained on every case with train --fold all) (default ensemble)")]
        public string CvModel { get; init; } = "ensemble";

        [CommandOption("--engine <ENGINE>"), Description("what runs the model: torch | onnx (ONNX Runtime, CPU; a run folder is exported in memory) (default: onnx when a model is an .onnx file, else torch)")]
        public string? Engine { get; init; }

        [CommandOption("--shard <I/N>"), Description("predict only shard I of N (0-based: 0/4 .. 3/4) of the inputs sorted by name, dealt round-robin; 'auto' reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (minus SLURM_ARRAY_TASK_MIN) or JOB_COMPLETION_INDEX with UNETSHARP_SHARD_COUNT (default: all inputs)")]
        public string? Shard { get; init; }

        [CommandOption("--skip-existing"), Description("skip inputs whose outputs all exist already (outputs are written atomically, so a rerun after a kill does only what is missing) (default: off)")]
        public bool SkipExisting { get; init; }

        [CommandOption("--input <PATH>"), Description("image (.nii, .nii.gz, .png, .tif, .tiff) or folder of images")]
        public string? Input { get; init; }

        [CommandOption("--out <DIR>"), Description("output folder; outputs are named like the inputs, without an nnU-Net channel suffix (case_0000.nii.gz gives case.nii.gz)")]
        public string? Out { get; init; }

        [CommandOption("--depth <L>"), Description("depth to predict at, 1..L (default: the plan's chosen depth, else L)")]
        public int? Depth { get; init; }

        [CommandOption("--tta"), Description("mirroring test-time augmentation over every axis (2D: 4x, 3D: 8x the work)")]
        public bool Tta { get; init; }

        [CommandOption("--overlap <F>"), Description("fraction of a tile shared with its neighbour, from 0 up to but excluding 1"), DefaultValue(0.5)]
        public double Overlap { get; init; } = 0.5;

        [CommandOption("--cgm-gating <MODE>"), Description("how the CGMs gate the output: hard | soft | off (ignored for a network without CGMs)"), DefaultValue("hard")]
        public string CgmGating { get; init; } = "hard";

        [CommandOption("--keep-largest"), Description("keep the largest connected component of each class")]
        public bool KeepLargest { get; init; }

        [CommandOption("--fill-holes"), Description("fill enclosed background holes")]
        public bool FillHoles { get; init; }

        [CommandOption("--no-postprocessing"), Description("skip the post-processing the run chose on cross-validation (plan.json); --keep-largest / --fill-holes replace it (default: applied)")]
        public bool NoPostprocessing { get; init; }

        [CommandOption("--probabilities"), Description("also write NAME_probK per foreground class K (NIfTI float32, PNG 16-bit, TIFF float32)")]
        public bool Probabilities { get; init; }

        [CommandOption("--overlays"), Description("also write overlays/NAME_overlay.png under --out, contours on the image (3D: the slice with most foreground)")]
        public bool Overlays { get; init; }

        [CommandOption("--threads <N>"), Description("torch threads, at least 1 (default: all cores)")]
        public int? Threads { get; init; }

        [CommandOption("--tile <N>"), Description("tile size per axis, a multiple of 2^depth (default: the plan's patch size)")]
        public int? Tile { get; init; }

        [CommandOption("--batch <N>"), Description("tiles per forward pass, at least 1"), DefaultValue(1)]
        public int Batch { get; init; } = 1;

        [CommandOption("--no-fold"), Description("keep batch norms separate (folding gives the same outputs, faster)")]
        public bool NoFold { get; init; }

        [CommandOption("--instances"), Description("write instance maps (16-bit PNG, TIFF, NIfTI uint16/uint32); default for models trained with --instances")]
        public bool? Instances { get; init; }

        [CommandOption("--decoder <KIND>"), Description("with instances: watershed | components (default watershed)")]
        public string Decoder { get; init; } = "watershed";

        [CommandOption("--min-size <VOXELS>"), Description("with instances: drop instances smaller than this (default: the run's tuned value, else 10)")]
        public int? MinSize { get; init; }

        [CommandOption("--marker-threshold <P>"), Description("with instances: interior probability that seeds the watershed (default: the run's tuned value, else 0.5)")]
        public double? MarkerThreshold { get; init; }

        [CommandOption("--foreground-threshold <P>"), Description("with instances: 1 - p(background) above this is foreground (default: the run's tuned value, else 0.5)")]
        public double? ForegroundThreshold { get; init; }

        [CommandOption("--instances-csv"), Description("with instances: also write <name>_instances.csv (id, area/volume, centroid, box, mean intensity, score)")]
        public bool InstancesCsv { get; init; }

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.UnitFromZero("--overlap", Overlap), FlagChecks.AtLeast("--threads", Threads, 1),
            FlagChecks.AtLeast("--tile", Tile, 1), FlagChecks.AtLeast("--batch", Batch, 1), FlagChecks.Folder("--out", Out),
            FlagChecks.AtLeast("--min-size", MinSize, 1), FlagChecks.OpenUnit("--marker-threshold", MarkerThreshold),
            FlagChecks.OpenUnit("--foreground-threshold", ForegroundThreshold));

        public PredictionJobOptions ToOptions() => new()
        {
            Model = Model is { Length: > 0 } m ? m[0] : throw new ConfigurationException("--model is required"),
            Models = Model,
            CrossValidationModel = CvModel.Trim().ToLowerInvariant() switch
            {
                "ensemble" => CrossValidationModel.Ensemble,
                "all" => CrossValidationModel.All,
                _ => throw new ConfigurationException($"--cv-model must be ensemble or all, got '{CvModel}'"),
            },
            Engine = ResolveEngine(),
            Shard = Shard is null ? null : Shard.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? PredictionShard.FromEnvironment() : ParseShard(Shard),
            SkipExisting = SkipExisting,
            Input = Input ?? throw new ConfigurationException("--input is required"),
            OutputDir = Out ?? throw new ConfigurationException("--out is required"),
            Depth = Depth, Tta = Tta, Overlap = Overlap,
            Gating = CgmGating.ToLowerInvariant() switch
            {
                "hard" => GatingMode.Hard,
                "soft" => GatingMode.Soft,
                "off" => GatingMode.Off,
                _ => throw new ConfigurationException($"--cgm-gating must be hard, soft or off, got '{CgmGating}'"),
            },
            KeepLargest = KeepLargest, FillHoles = FillHoles, PlanPostProcessing = !NoPostprocessing, Probabilities = Probabilities, Overlays = Overlays,
            Threads = Threads, TileSize = Tile, BatchSize = Batch, FoldBatchNorm = !NoFold,
            Instances = Instances, InstanceTable = InstancesCsv,
            InstanceDecoder = DecoderKind(),
            // any decoder setting given: the defaults with it; none: the run's tuned settings (instances.json)
            InstanceDecoding = MinSize is null && MarkerThreshold is null && ForegroundThreshold is null ? null : new InstanceDecodingOptions
            {
                Method = DecoderKind(), MinSize = MinSize ?? 10, MarkerThreshold = MarkerThreshold ?? 0.5, ForegroundThreshold = ForegroundThreshold ?? 0.5,
            },
        };

        static PredictionShard ParseShard(string text)
        {
            try { return PredictionShard.Parse(text.Trim()); }
            catch (ConfigurationException e) { throw new ConfigurationException($"--shard {text}: {e.Message}"); }
        }

        IPredictionEngine ResolveEngine()
        {
            string engine = (Engine ?? (Model is { Length: > 0 } m && m.Any(ModelPaths.IsOnnx) ? "onnx" : "torch")).ToLowerInvariant();
            return engine switch
            {
                "torch" or "torchsharp" => TorchPredictionEngine.Instance,
                "onnx" or "onnxruntime" => new OnnxPredictionEngine(Threads),
                _ => throw new ConfigurationException($"--engine must be torch or onnx, got '{Engine}'"),
            };
        }

        InstanceDecoderKind DecoderKind() => Decoder.ToLowerInvariant() switch
        {
            "watershed" => InstanceDecoderKind.Watershed,
            "components" or "cc" => InstanceDecoderKind.ConnectedComponents,
            _ => throw new ConfigurationException($"--decoder must be watershed or components, got '{Decoder}'"),
        };
    }

    /// <summary>`predict --model A B C ...`: Spectre takes one value per flag, so the values after --model up to the next
    /// flag become --model A --model B --model C (the ensemble).</summary>
    public static string[] ExpandModelList(string[] args)
    {
        if (args.Length == 0 || args[0] != "predict") return args;
        var result = new List<string>(args.Length);
        for (int k = 0; k < args.Length; k++)
        {
            result.Add(args[k]);
            if (args[k] != "--model") continue;
            if (k + 1 < args.Length) result.Add(args[++k]);
            while (k + 1 < args.Length && !args[k + 1].StartsWith('-'))
            {
                result.Add("--model");
                result.Add(args[++k]);
            }
        }
        return result.ToArray();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Open checks everything and writes nothing: a bad argument leaves no output folder behind (exit 2 via CliApp).
        var job = PredictionJob.Open(settings.ToOptions());
        using (job)
        {
            foreach (string folder in (job.Options.Models ?? [job.Options.Model]).Where(ModelPaths.IsCrossValidationFolder))
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(folder)}: cross-validation folder, predicting with " + (job.Options.CrossValidationModel == CrossValidationModel.All
                    ? $"its all-fold model ({AllFold.FolderName})" : $"the ensemble of its {ModelPaths.EnsembleFolds(folder).Count} folds (--cv-model all: its {AllFold.FolderName} model)") + "[/]");
            for (int m = 0; m < job.Models.Count; m++)
            {
                var model = job.Models[m];
                var net = model.Config;
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(model.WeightsPath)}: {Markup.Escape(net.Architecture)} {net.Dimensions}D at depth L{job.Depths[m]} of {net.Depth} " +
                    $"({Markup.Escape(model.Predictor.Engine)}), {model.FoldedLayers} batch norms folded[/]");
            }
            AnsiConsole.MarkupLine($"[grey]{(job.Models.Count > 1 ? $"ensemble of {job.Models.Count} models, " : "")}tile {string.Join("x", job.TileSize)}, TTA {(job.Options.Tta ? "on" : "off")}, " +
                $"{job.Inputs.Count} input(s){(job.Options.Shard is { } shard ? $" (shard {shard} of the sorted inputs)" : "")}[/]");
            var report = RunWithProgress(job, cancellationToken);
            PrintSummary(report);
            // skipped inputs (--skip-existing) are not failures: no error line for them
            foreach (var failed in report.Files.Where(f => f.Status == PredictionFileResult.Failed)) CliOutput.Error.WriteLine($"error: {CliApp.OneLine(failed.Error ?? "")}");
            if (report.Files.Count(f => f.GrayFromColour) is int gray and > 0)
                AnsiConsole.MarkupLine($"{gray} image(s) stored as RGB(A) with R = G = B were read as gray for this one-channel model");
            foreach (var f in report.Files.Where(f => f.Warning is not null)) CliOutput.Error.WriteLine($"warning: {Path.GetFileName(f.Input)}: {f.Warning}");
            AnsiConsole.MarkupLine($"{report.Succeeded} of {report.Files.Count} predicted{(report.Skipped > 0 ? $", {report.Skipped} skipped (outputs exist)" : "")} in {report.Seconds:F1} s; summary in [bold]{Markup.Escape(Path.GetFullPath(job.SummaryPath))}[/]");
            return report.Failed > 0 ? SomeFilesFailed : 0;
        }
    }

    static PredictionJobReport RunWithProgress(PredictionJob job, CancellationToken cancellation)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || job.Inputs.Count == 1)
            return job.Run(new Inline<PredictionProgress>(p =>
            {
                if (p.Finished is { } r) AnsiConsole.MarkupLine($"[grey][[{p.Completed}/{p.Total}]] {Markup.Escape(Path.GetFileName(p.File))}: {r.Status} ({r.Seconds:F2} s)[/]");
            }), cancellation);
        PredictionJobReport report = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("predicting", maxValue: job.Inputs.Count);
                report = job.Run(new Inline<PredictionProgress>(p =>
                {
                    task.Description = Markup.Escape(Path.GetFileName(p.File));
                    task.Value = p.Completed;
                }), cancellation);
            });
        return report;
    }

    static void PrintSummary(PredictionJobReport report)
    {
        var table = new Table();
        table.AddColumns("file", "shape", "time s", "foreground voxels", "status");
        foreach (var f in report.Files)
            table.AddRow(Markup.Escape(Path.GetFileName(f.Input)), f.Shape is null ? "-" : string.Join("x", f.Shape) + (f.SliceBySlice ? " (slices)" : ""),
                f.Seconds.ToString("F2"), f.Succeeded ? f.ForegroundVoxels.ToString("N0") : "-",
                f.Warning is not null ? (f.ForegroundVoxels == 0 ? "[yellow]ok, empty[/]" : "[yellow]ok, all foreground[/]") : f.Succeeded ? "[green]ok[/]" : f.Status == PredictionFileResult.Skipped ? "[grey]skipped[/]" : $"[red]failed[/]: {Markup.Escape(f.Error ?? "")}");
        AnsiConsole.Write(table);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
