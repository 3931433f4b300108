using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using UNetSharp.Benchmarks;
using UNetSharp.IO;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp bench model`: speed and memory per architecture and depth, written to a JSON file.</summary>
public sealed class BenchModelCommand : Command<BenchModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--archs <LIST>"), Description("architectures, comma-separated (default unet,unet++,unet3+,unet#)")]
        public string Archs { get; init; } = "unet,unet++,unet3+,unet#";

        [CommandOption("--dims <DIMS>")] public int Dimensions { get; init; } = 2;
        [CommandOption("--size <SIZE>"), Description("input size, e.g. 256 or 512x512 (default 256)")] public string Size { get; init; } = "256";
        [CommandOption("--batch <N>")] public int Batch { get; init; } = 1;
        [CommandOption("--repeats <N>"), Description("timed runs per measurement; the best is kept (default 3)")] public int Repeats { get; init; } = 3;
        [CommandOption("--depth <L>")] public int Depth { get; init; } = 4;
        [CommandOption("--widths <LIST>")] public string? Widths { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--no-train"), Description("skip forward + backward timings")] public bool NoTrain { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file (default bench-model.json)")] public string Out { get; init; } = "bench-model.json";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var options = new ModelBenchmarkOptions
        {
            Architectures = settings.Archs.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Dimensions = settings.Dimensions,
            Size = NetworkSettings.ParseSize(settings.Size, settings.Dimensions),
            Batch = settings.Batch,
            Repeats = settings.Repeats,
            Depth = settings.Depth,
            Widths = settings.Widths is null ? null : NetworkSettings.ParseList(settings.Widths, "--widths"),
            Training = !settings.NoTrain,
        };
        ModelBenchmarkReport report = null!;
        AnsiConsole.Status().Start("benchmarking", ctx =>
            report = ModelBenchmark.Run(options, new Progress<string>(s => ctx.Status(s))));
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
