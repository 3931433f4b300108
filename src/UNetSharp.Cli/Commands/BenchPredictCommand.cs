using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp bench predict`: prediction latency per 2D slice and per 3D volume at every depth (folded or not, TTA,
/// threads) with speed-ups next to FLOP and paper ratios; or, with --ct-volume, one CT-size volume's time and peak RSS.
/// </summary>
public sealed class BenchPredictCommand : Command<BenchPredictCommand.Settings>
{
    const string HippocampusFolder = "../shared/data/msd-hippocampus/imagesTr";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--size <N>"), Description("2D slice side, a multiple of 16"), DefaultValue(512)] public int Size { get; init; } = 512;
        [CommandOption("--dims <D>"), Description("2 = slices only, 3 = volumes only (default both)")] public int? Dimensions { get; init; }
        [CommandOption("--depths <LIST>"), Description("depths to time, each 1..4 (the networks have depth 4)"), DefaultValue("1,2,3,4")] public string Depths { get; init; } = "1,2,3,4";
        [CommandOption("--tta"), Description("also time mirroring TTA on the folded network (default: off)")] public bool Tta { get; init; }
        [CommandOption("--threads <LIST>"), Description("thread counts to time, each at least 1, e.g. 1,2 (default: all cores)")] public string? Threads { get; init; }
        [CommandOption("--volumes <DIR>"), Description($"NIfTI volumes (default {HippocampusFolder} when present, else synthetic 40x56x40)")] public string? Volumes { get; init; }
        [CommandOption("--max-volumes <N>"), Description("volumes timed from --volumes, at least 1"), DefaultValue(2)] public int MaxVolumes { get; init; } = 2;
        [CommandOption("--widths3d <LIST>"), Description("3D UNet# widths per level, 5 values (depth 4)"), DefaultValue("16,32,64,128,256")] public string Widths3D { get; init; } = "16,32,64,128,256";
        [CommandOption("--repeats <N>"), Description("timed runs per measurement after 1 warm-up, at least 1; the median is kept"), DefaultValue(3)] public int Repeats { get; init; } = 3;
        [CommandOption("--ct-volume"), Description("instead: time one synthetic CT-size volume and its peak RSS (default: off)")] public bool CtVolume { get; init; }
        [CommandOption("--ct-size <XxYxZ>"), Description("CT volume size x, y, z"), DefaultValue("512x512x200")] public string CtSize { get; init; } = "512x512x200";
        [CommandOption("--ct-spacing <XxYxZ>"), Description("CT voxel spacing in mm, x, y, z"), DefaultValue("0.78x0.78x2.5")] public string CtSpacing { get; init; } = "0.78x0.78x2.5";
        [CommandOption("--ct-widths <LIST>"), Description("CT network widths (the planner's 3D default)"), DefaultValue("16,32,64,128")] public string CtWidths { get; init; } = "16,32,64,128";
        [CommandOption("--ct-depth <L>"), Description("depth to run the CT network at, at least 1 (default: full)")] public int? CtDepth { get; init; }
        [CommandOption("--ct-overlap <F>"), Description("tile overlap of the CT prediction, from 0 up to but excluding 1"), DefaultValue(0.5)] public double CtOverlap { get; init; } = 0.5;
        [CommandOption("--engine <LIST>"), Description("instead: deployment latency per engine, e.g. torch,onnx,onnx-int8 (TorchSharp BN-folded, ONNX Runtime float32, ONNX Runtime int8 QDQ) at every --sizes, --depths and --threads (default 1,2), with model file size and peak RSS; also writes the CSV beside --out (default: off)")] public string? Engine { get; init; }
        [CommandOption("--sizes <LIST>"), Description("with --engine: image sides, multiples of 16"), DefaultValue("256,512")] public string Sizes { get; init; } = "256,512";
        [CommandOption("--model <RUN>"), Description("with --engine: a trained run to benchmark, its training cases calibrating int8 (default: UNet# 32..512 with random weights, calibrated on noise)")] public string? Model { get; init; }
        [CommandOption("--ct-dims <D>"), Description("3 = the default 3D plan, 2 = the 2D configuration (slices across z, depth 4, widths 32..512)"), DefaultValue(3)] public int CtDims { get; init; } = 3;
        [CommandOption("--ct-max-tiles <N>"), Description("3D: run at most N tiles, evenly spread, and extrapolate the time of the rest (default: all)")] public int? CtMaxTiles { get; init; }
        [CommandOption("--ct-max-slices <N>"), Description("2D: predict the first N slices and extrapolate the time of the rest (default: all)")] public int? CtMaxSlices { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file"), DefaultValue("bench-predict.json")] public string Out { get; init; } = "bench-predict.json";

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.OneOf("--dims", Dimensions, 2, 3), FlagChecks.AtLeast("--max-volumes", MaxVolumes, 1), FlagChecks.AtLeast("--repeats", Repeats, 1),
            FlagChecks.AtLeast("--ct-depth", CtDepth, 1), FlagChecks.UnitFromZero("--ct-overlap", CtOverlap), FlagChecks.AtLeast("--size", Size, 16), FlagChecks.File("--out", Out),
            FlagChecks.OneOf("--ct-dims", CtDims, 2, 3), FlagChecks.AtLeast("--ct-max-tiles", CtMaxTiles, 1), FlagChecks.AtLeast("--ct-max-slices", CtMaxSlices, 1));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
        => settings.Engine is not null ? RunEngines(settings) : settings.CtVolume ? RunCt(settings) : RunSpeed(settings);

    static int RunEngines(Settings s)
    {
        var options = new DeploymentBenchmarkOptions
        {
            Engines = s.Engine!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(e =>
            {
                try { return DeploymentBenchmark.Parse(e); }
                catch (ConfigurationException x) { throw new ConfigurationException($"--engine {s.Engine}: {x.Message}"); }
            }).Distinct().ToList(),
            Sizes = NetworkSettings.ParseList(s.Sizes, "--sizes"), Depths = NetworkSettings.ParseList(s.Depths, "--depths"),
            Threads = NetworkSettings.ParseList(s.Threads ?? "1,2", "--threads"), Repeats = s.Repeats, Model = s.Model,
        };
        options.Validate();
        DeploymentBenchmarkReport report = null!;
        AnsiConsole.Status().Start("benchmarking", ctx => report = DeploymentBenchmark.Run(options, new Inline(m => ctx.Status(Markup.Escape(m)))));
        AtomicFile.WriteAllText(s.Out, report.ToJson());
        string csv = Path.ChangeExtension(s.Out, ".csv");
        AtomicFile.WriteAllText(csv, report.ToCsv());
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(report.Machine)}; {Markup.Escape(report.Network)}; load average {report.LoadAverage:F1} at the start[/]");
        var table = new Table();
        table.AddColumns("engine", "size", "depth", "threads", "ms", "model MB", "peak RSS MB", "int convs");
        foreach (var r in report.Rows)
            table.AddRow(r.Engine, r.Size.ToString(), $"L{r.Depth}", r.Threads.ToString(), r.MedianMs.ToString("F1"), (r.ModelBytes / 1e6).ToString("F3"),
                r.PeakRssMb.ToString("F0"), r.IntegerConvolutions.ToString());
        AnsiConsole.Write(table);
        foreach (var r in report.Ratios)
            AnsiConsole.MarkupLine($"{r.Size}² L{r.Depth} {r.Threads} thread(s): ONNX Runtime {r.OnnxOverTorch?.ToString("F2") ?? "-"}x TorchSharp, int8 {r.Int8OverOnnx?.ToString("F2") ?? "-"}x float ONNX");
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/] and {Markup.Escape(csv)}");
        return 0;
    }

    static int RunSpeed(Settings s)
    {
        if (s.Dimensions is not (null or 2 or 3)) throw new ConfigurationException($"--dims must be 2 or 3, got {s.Dimensions}");
        var options = new PredictionSpeedOptions
        {
            Depths = NetworkSettings.ParseList(s.Depths, "--depths"), SliceSize = s.Size, Tta = s.Tta,
            Threads = s.Threads is null ? [] : NetworkSettings.ParseList(s.Threads, "--threads"),
            Slices = s.Dimensions is null or 2, Volumes = s.Dimensions is null or 3,
            VolumeFolder = s.Volumes ?? (Directory.Exists(HippocampusFolder) ? HippocampusFolder : null), MaxVolumes = s.MaxVolumes,
            Widths3D = NetworkSettings.ParseList(s.Widths3D, "--widths3d"), Repeats = s.Repeats,
        };
        if (s.Volumes is not null && !Directory.Exists(s.Volumes)) throw new DataFormatException(s.Volumes, "volume folder not found");
        options.Validate();   // before minutes of timing, not after
        PredictionSpeedReport report = null!;
        AnsiConsole.Status().Start("benchmarking", ctx => report = PredictionSpeedBenchmark.Run(options, new Inline(m => ctx.Status(Markup.Escape(m)))));
        AtomicFile.WriteAllText(s.Out, report.ToJson());

        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(report.Machine)}; volumes: {Markup.Escape(report.VolumeSource)}[/]");
        var table = new Table();
        table.AddColumns("target", "shape", "threads", "BN", "TTA", "depth", "nodes", "GFLOP", "ms", "speed-up vs full", "FLOP ratio", "paper DSB2018", "paper LIDC");
        foreach (var r in report.Rows)
            table.AddRow(r.Target, Markup.Escape(r.Shape), r.Threads.ToString(), r.Folded ? "folded" : "-", r.Tta ? "on" : "-", $"L{r.Depth}", r.Nodes.ToString(),
                r.Gflop.ToString("F1"), r.MedianMs.ToString("F1"), r.SpeedupVsFull.ToString("F2"), r.FlopRatioVsFull.ToString("F2"),
                r.PaperDsb2018Ratio?.ToString("F2") ?? "-", r.PaperLidcRatio?.ToString("F2") ?? "-");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        return 0;
    }

    static int RunCt(Settings s)
    {
        var xyz = NetworkSettings.ParseSize(s.CtSize, 3, "--ct-size");
        int[] shape = [(int)xyz[2], (int)xyz[1], (int)xyz[0]];
        var spacingXyz = s.CtSpacing.Split('x').Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && d > 0 && double.IsFinite(d) ? d : double.NaN).ToArray();
        if (spacingXyz.Length != 3 || spacingXyz.Any(double.IsNaN)) throw new ConfigurationException($"--ct-spacing {s.CtSpacing}: expected three positive numbers XxYxZ in mm, e.g. 0.78x0.78x2.5");
        double[] spacing = [spacingXyz[2], spacingXyz[1], spacingXyz[0]];
        int? threads = s.Threads is null ? null : NetworkSettings.ParseList(s.Threads, "--threads")[0];
        if (s.CtDims == 2)
        {
            CtSliceResult slices = null!;
            TorchThreads.While(threads, () =>
            {
                AnsiConsole.Status().Start($"predicting a {s.CtSize} volume slice by slice", _ =>
                    slices = CtSliceBenchmark.Run(shape, spacing, null, s.CtDepth, s.CtOverlap, s.CtMaxSlices));
                return 0;
            });
            AtomicFile.WriteAllText(s.Out, ProjectJson.Serialize(slices));
            AnsiConsole.MarkupLine($"{s.CtSize} as {slices.Slices} slices {string.Join("x", slices.SliceShape)} across axis {slices.SliceAxis}, depth L{slices.Depth}, tile {string.Join("x", slices.Tile)}, " +
                $"{slices.TilesPerSlice} tiles per slice, {slices.TilesPerPass} per forward pass: {slices.SlicesRun} slices in {slices.Seconds:F1} s ({slices.SecondsPerSlice:F2} s per slice, " +
                $"{slices.ExtrapolatedSeconds:F0} s for all{(slices.TimeOverRoofline is { } r ? $", {r:F2}x the conv2d roofline time at {slices.ConvForwardGflops:F0} GFLOP/s" : "")}); " +
                $"RSS before {slices.BaselineRssMb:F0} MB, peak {slices.PeakRssMb:F0} MB");
            AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
            return 0;
        }
        CtVolumeResult result = null!;
        TorchThreads.While(threads, () =>
        {
            AnsiConsole.Status().Start($"predicting a {s.CtSize} volume", _ =>
                result = CtVolumeBenchmark.Run(shape, spacing, NetworkSettings.ParseList(s.CtWidths, "--ct-widths"), s.CtDepth, overlap: s.CtOverlap, maxTiles: s.CtMaxTiles));
            return 0;
        });
        AtomicFile.WriteAllText(s.Out, ProjectJson.Serialize(result));
        if (result.SpacingNote is not null) AnsiConsole.MarkupLine($"[grey]plan: {Markup.Escape(result.SpacingNote)}[/]");
        AnsiConsole.MarkupLine($"{s.CtSize} (z,y,x {string.Join("x", result.Shape)}) at {string.Join("x", result.Spacing)} mm, planned at {string.Join("x", result.TargetSpacing)} mm " +
            $"({string.Join("x", result.PlannedShape)}), strides {Markup.Escape(NetworkConfig.FormatStrides(result.Strides))}, widths {string.Join(",", result.Widths)} at L{result.Depth}, tile {string.Join("x", result.Tile)}, " +
            $"overlap {result.Overlap}: {result.Tiles} tiles, {result.Gflop:F0} GFLOP in {result.Seconds:F1} s" +
            (result.ExtrapolatedSeconds is { } all ? $" for {result.TilesRun} tiles ({result.SecondsPerTile:F1} s each; {all:F0} s extrapolated to all)" : "") +
            (result.TimeOverRoofline is { } ratio ? $" ({ratio:F2}x the conv3d roofline time at {result.ConvForwardGflops:F0} GFLOP/s)" : "") +
            $"; input {result.InputMb:F0} MB, RSS before {result.BaselineRssMb:F0} MB, peak {result.PeakRssMb:F0} MB" +
            (result.PeakWasReset ? "" : " (peak since process start: /proc/self/clear_refs not writable)"));
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        return 0;
    }

    sealed class Inline(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
