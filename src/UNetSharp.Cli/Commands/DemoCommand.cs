using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Pipeline;
using UNetSharp.Reporting;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp demo`: synthetic cells → train a small UNet# → evaluate every depth → metrics, curves, overlays.</summary>
public sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>"), Description("output folder: data/ and run/ are written inside"), DefaultValue("demo-run")] public string Out { get; init; } = "demo-run";
        [CommandOption("--data <DIR>"), Description("use this data set instead of synthetic cells (default: synthetic)")] public string? Data { get; init; }
        [CommandOption("--epochs <N>"), Description("training epochs, at least 1"), DefaultValue(24)] public int Epochs { get; init; } = 24;
        [CommandOption("--images <N>"), Description("synthetic images, at least 2 (one trains, one validates)"), DefaultValue(48)] public int Images { get; init; } = 48;
        [CommandOption("--size <PX>"), Description("synthetic image side, a multiple of 8 from 16 to 4096"), DefaultValue(64)] public int Size { get; init; } = 64;
        [CommandOption("--seed <N>"), Description("seed of the images, the split and the weights"), DefaultValue(7)] public int Seed { get; init; } = 7;
        [CommandOption("--threads <N>"), Description("torch threads, at least 1: pinned so two demos give the same curves"), DefaultValue(2)] public int Threads { get; init; } = 2;

        public override ValidationResult Validate() => FlagChecks.First(FlagChecks.Folder("--out", Out), FlagChecks.AtLeast("--threads", Threads, 1));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = new RunConsole(Verbosity.Normal);
        console.Header("[bold]UNetSharp demo[/]: a small UNet# (depth 3, widths 8..64, deep supervision, CGMs) on synthetic cell images");
        using var interrupt = new InterruptSignals(cancellationToken);
        try
        {
            var result = DemoRun.Run(new DemoOptions
            {
                OutDirectory = settings.Out, DataDirectory = settings.Data, Epochs = settings.Epochs, Images = settings.Images, Size = settings.Size, Seed = settings.Seed, Threads = settings.Threads,
                Logger = console.Logger, CurvePlotter = TrainingCurves.Plotter,
            }, console.EpochLines(), interrupt.Token, console.StepProgress());
            console.Summary(result);
            return 0;
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            console.Stopped(Path.Combine(settings.Out, "run"), resume: null);
            return InterruptSignals.ExitCode;
        }
    }
}
