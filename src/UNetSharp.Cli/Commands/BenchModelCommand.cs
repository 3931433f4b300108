using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.IO;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp bench model`: speed and memory per architecture and depth, written to a JSON file.</summary>
public sealed class BenchModelCommand : Command<BenchModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--archs <LIST>"), Description("architectures, comma-separated"), DefaultValue("unet,unet++,unet3+,unet#")]
        public string Archs { get; init; } = "unet,unet++,unet3+,unet#";

        [CommandOption("--dims <DIMS>"), Description("2 or 3 spatial dimensions"), DefaultValue(2)] public int Dimensions { get; init; } = 2;
        [CommandOption("--size <SIZE>"), Description("input size, one size or one per axis, e.g. 256 or 512x512"), DefaultValue("256")] public string Size { get; init; } = "256";
        [CommandOption("--batch <N>"), Description("images per forward pass, at least 1"), DefaultValue(1)] public int Batch { get; init; } = 1;
        [CommandOption("--repeats <N>"), Description("timed runs per measurement, at least 1; the best is kept"), DefaultValue(3)] public int Repeats { get; init; } = 3;
        [CommandOption("--depth <L>"), Description("network depth, 1..8 (default: the planner's, 4 in 2D, 3 in 3D)")] public int? Depth { get; init; }
        [CommandOption("--widths <LIST>"), Description("channels per level, depth + 1 values (default: the planner's, 32·2^level in 2D, 16·2^level in 3D)")] public string? Widths { get; init; }
        [CommandOption("--norm <KIND>"), Description("batch | instance (default: the planner's, batch in 2D, instance in 3D)")] public string? Norm { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--no-train"), Description("skip forward + backward timings (default: time them)")] public bool NoTrain { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file"), DefaultValue("bench-model.json")] public string Out { get; init; } = "bench-model.json";

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.OneOf("--dims", Dimensions, 2, 3), FlagChecks.AtLeast("--batch", Batch, 1), FlagChecks.AtLeast("--repeats", Repeats, 1),
            FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.File("--out", Out),
            Norm is null or "batch" or "instance" ? ValidationResult.Success() : ValidationResult.Error($"--norm must be batch or instance, got '{Norm}'"));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        TorchThreads.While(settings.Threads, () => Run(settings));

    static int Run(Settings settings)
    {
        var options = new ModelBenchmarkOptions
        {
            Architectures = settings.Archs.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Dimensions = settings.Dimensions,
            Size = NetworkSettings.ParseSize(settings.Size, settings.Dimensions),
            Batch = settings.Batch,
            Repeats = settings.Repeats,
            Depth = settings.Depth,
            Widths = settings.Widths is null ? null : NetworkSettings.ParseList(settings.Widths, "--widths"),
            Norm = settings.Norm switch { "batch" => NormKind.Batch, "instance" => NormKind.Instance, _ => null },
            Training = !settings.NoTrain,
        };
        ModelBenchmarkReport report = null!;
        AnsiConsole.Status().Start("benchmarking", ctx =>
            report = ModelBenchmark.Run(options, new Progress<string>(s => ctx.Status(Markup.Escape(s)))));
        AtomicFile.WriteAllText(settings.Out, report.ToJson());

        AnsiConsole.MarkupLine($"[grey]{report.Machine}; torch threads {report.Threads}[/]");
        AnsiConsole.MarkupLine($"references: GEMM {report.GemmGflops} GFLOP/s, 3x3 conv forward {report.ConvForwardGflops} GFLOP/s, forward+backward {report.ConvTrainGflops} GFLOP/s");
        var table = new Table();
        table.AddColumns("arch", "depth", "params", "GFLOP", "forward s", "GFLOP/s", "vs conv", "speed-up vs L", "FLOP ratio", "train s", "train vs conv", "peak RSS MB");
        foreach (var r in report.Rows)
            table.AddRow(r.Architecture, $"L{r.Depth}", r.Parameters.ToString("N0"), r.ForwardGflop.ToString("F2"), r.ForwardSeconds.ToString("F3"),
                r.ForwardGflops.ToString("F1"), r.ForwardVsConv.ToString("F2"), r.SpeedupVsFull.ToString("F2"), r.FlopRatioVsFull.ToString("F2"),
                r.TrainSeconds?.ToString("F3") ?? "-", r.TrainVsConv?.ToString("F2") ?? "-", Math.Max(r.ForwardPeakRssMb, r.TrainPeakRssMb ?? 0).ToString("F0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(settings.Out))}[/]");
        return 0;
    }
}
