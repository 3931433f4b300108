using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Experiments;
using UNetSharp.Reporting;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp experiment --config exp.yaml`: every architecture × data set × seed trained with one step budget, evaluated at
/// every pruned depth on the same validation cases; results.csv / results.json / summary.json / summary.md / report.html
/// in the output folder, a run folder (with its own report.html) per training. Run it again after an interruption: finished
/// runs are kept, a stopped run continues from its checkpoint.
/// </summary>
public sealed class ExperimentCommand : Command<ExperimentCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>"), Description("experiment file (YAML or JSON): out, architectures, seeds, iterations, threads, depths, reference, settings, datasets (required)")]
        public string? Config { get; init; }
        [CommandOption("--out <DIR>"), Description("output folder (default: the file's 'out')")] public string? Out { get; init; }
        [CommandOption("--threads <N>"), Description("torch threads of every run, at least 1 (default: the file's 'threads', else all cores)")] public int? Threads { get; init; }
        [CommandOption("--quiet"), Description("only warnings, errors and the final summary")] public bool? Quiet { get; init; }

        public override ValidationResult Validate() => FlagChecks.First(FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.Folder("--out", Out),
            Config is null ? ValidationResult.Error("--config <FILE> is required") : ValidationResult.Success());
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var spec = ExperimentConfigFile.Load(s.Config!, s.Out, s.Threads);
        var console = new RunConsole(RunConsole.VerbosityOf(s.Quiet, false));
        console.Header($"[bold]experiment[/] {spec.Architectures.Count} architectures × {spec.Datasets.Count} data sets × {spec.Seeds.Count} seeds, {Markup.Escape(spec.BudgetText)} → {Markup.Escape(spec.OutputDirectory)}");
        using var interrupt = new InterruptSignals(cancellationToken);
        try
        {
            var result = ExperimentRunner.Run(spec, console.Logger, interrupt.Token, TrainingCurves.Plotter,
                runReport: (_, run) => RunReport.Write(run));
            string report = ExperimentReport.Write(spec.OutputDirectory, result);
            AnsiConsole.Write(new Text(result.Markdown()));
            AnsiConsole.MarkupLine($"results  [bold]{Markup.Escape(Path.Combine(spec.OutputDirectory, ExperimentRunner.ResultsCsv))}[/], summary.json, summary.md");
            AnsiConsole.MarkupLine($"report   [bold]{Markup.Escape(report)}[/]");
            return 0;
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            Console.Error.WriteLine($"experiment stopped; finished runs are kept. Continue with: unetsharp experiment --config {s.Config}{(s.Out is null ? "" : $" --out {s.Out}")}");
            return InterruptSignals.ExitCode;
        }
    }
}
