using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Experiments;
using UNetSharp.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp bench ensemble`: a k-fold ensemble against one model at the same total step budget, both scored on seeded
/// held-out test cases that neither ever trains or validates on (<see cref="EnsembleBenchmark"/>); results_L4.csv/.json and
/// summary_L4.md in --out (suffix: depth, _tta), with the run folders. Run it again after an interruption, or with another
/// --depth / --tta: finished runs are kept and only predicted again.
/// </summary>
public sealed class BenchEnsembleCommand : Command<BenchEnsembleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder (required here or as 'data' in --config)")] public string? Data { get; init; }
        [CommandOption("--out <DIR>"), Description("benchmark folder: run folders single/ and ensemble/, results_L4.csv/.json and summary_L4.md (named by the depth, _tta added with --tta) (required)")] public string? Out { get; init; }
        [CommandOption("--config <FILE>"), Description("train's settings for both arms (JSON or YAML, train's keys: widths, patch, batch, lr, schedule...); folds, iterations and held-out cases are the benchmark's (default: train's defaults)")] public string? Config { get; init; }
        [CommandOption("--iterations <B>"), Description("total optimiser steps of each arm: the single model takes B, each fold B / folds (required)")] public long? Iterations { get; init; }
        [CommandOption("--folds <K>"), Description("fold models of the ensemble, at least 2"), DefaultValue(3)] public int Folds { get; init; } = 3;
        [CommandOption("--holdout <N>"), Description("held-out test cases drawn by --holdout-seed, at least 1"), DefaultValue(6)] public int Holdout { get; init; } = 6;
        [CommandOption("--holdout-seed <N>"), Description("seed of the held-out draw"), DefaultValue(1)] public int HoldoutSeed { get; init; } = 1;
        [CommandOption("--holdout-cases <IDS>"), Description("the held-out case ids, comma-separated, instead of a seeded draw (default: drawn)")] public string? HoldoutCases { get; init; }
        [CommandOption("--tta"), Description("mirroring test-time augmentation when predicting the held-out cases, both arms (default: off)")] public bool Tta { get; init; }
        [CommandOption("--depth <L>"), Description("depth both arms predict at (default: the full depth)")] public int? Depth { get; init; }
        [CommandOption("--threads <N>"), Description("torch threads of every training and prediction, at least 1 (default: the config's, else all cores)")] public int? Threads { get; init; }
        [CommandOption("--quiet"), Description("only warnings, errors and the final summary (default: progress lines)")] public bool? Quiet { get; init; }

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--iterations", Iterations, 1), FlagChecks.AtLeast("--folds", Folds, 2), FlagChecks.AtLeast("--holdout", Holdout, 1),
            FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.Folder("--out", Out),
            Iterations is null ? ValidationResult.Error("--iterations <B> is required: the total step budget of each arm") : ValidationResult.Success(),
            Out is null ? ValidationResult.Error("--out <DIR> is required") : ValidationResult.Success());
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var file = s.Config is null ? SettingValues.None : SettingValues.Load(s.Config);
        var settings = file.ApplyTo(RunSettings.Default);
        if (s.Data is not null) settings = settings with { Data = s.Data };
        if (settings.Data.Length == 0) throw new ConfigurationException("--data is required (or 'data' in the config file)");
        var spec = new EnsembleBenchmarkSpec
        {
            OutputDirectory = Path.GetFullPath(s.Out!), Settings = settings with { Data = Path.GetFullPath(settings.Data), Out = "" },
            Iterations = s.Iterations!.Value, Folds = s.Folds, HoldoutCount = s.Holdout, HoldoutSeed = s.HoldoutSeed,
            HoldoutCases = s.HoldoutCases is null ? null : TrainCommand.ParseCaseIds(s.HoldoutCases), Tta = s.Tta, Depth = s.Depth, Threads = s.Threads,
        };
        var console = new RunConsole(RunConsole.VerbosityOf(s.Quiet, false));
        console.Header($"[bold]bench ensemble[/] {spec.Folds}-fold ensemble vs one model, {spec.Iterations} steps each → {Markup.Escape(spec.OutputDirectory)}");
        using var interrupt = new InterruptSignals(cancellationToken);
        try
        {
            var result = EnsembleBenchmark.Run(spec, console.Logger, interrupt.Token);
            AnsiConsole.Write(new Text(result.Markdown()));
            AnsiConsole.MarkupLine($"results  [bold]{Markup.Escape(Path.Combine(spec.OutputDirectory, EnsembleBenchmark.ResultsFile("results", result.Depth, spec.Tta, "json")))}[/] (.csv, summary .md)");
            return 0;
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            Console.Error.WriteLine($"bench ensemble stopped; finished runs are kept. Continue with the same command.");
            return InterruptSignals.ExitCode;
        }
    }
}
