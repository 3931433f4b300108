using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.IO;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp bench memory`: the planner's training-memory estimate against the measured peak of real training steps, written to a JSON file.</summary>
public sealed class BenchMemoryCommand : Command<BenchMemoryCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--cases <LIST>"), Description("calibration cases, comma-separated (default: all of 2d-256-b2, 2d-256-b4, 2d-128-b8, 2d-128-b2-plain, 2d-192-b3, 2d-96-b4-plain, 3d-hippocampus-b2, 3d-hippocampus-b4)")] public string? Cases { get; init; }
        [CommandOption("--steps <N>"), Description("measured training steps per case after one warm-up step, at least 1; the highest peak is kept"), DefaultValue(2)] public int Steps { get; init; } = 2;
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file"), DefaultValue("bench-memory.json")] public string Out { get; init; } = "bench-memory.json";

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--steps", Steps, 1), FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.File("--out", Out),
            Cases?.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(n => MemoryBenchmark.DefaultCases().All(c => c.Name != n)) is { } unknown
                ? ValidationResult.Error($"--cases: unknown case '{unknown}'; choose from {string.Join(", ", MemoryBenchmark.DefaultCases().Select(c => c.Name))}")
                : ValidationResult.Success());
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        TorchThreads.While(settings.Threads, () => Run(settings));

    static int Run(Settings settings)
    {
        var names = settings.Cases?.Split(',', StringSplitOptions.TrimEntries);
        var cases = MemoryBenchmark.DefaultCases().Where(c => names is null || names.Contains(c.Name)).ToList();
        MemoryBenchmarkReport report = null!;
        AnsiConsole.Status().Start("measuring", ctx =>
            report = MemoryBenchmark.Run(cases, settings.Steps, new Progress<string>(s => ctx.Status(Markup.Escape(s)))));
        AtomicFile.WriteAllText(settings.Out, report.ToJson());
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(report.Machine)}; torch threads {report.Threads}; factors {report.EfficientPathFactor} (recompute) / {report.PlainPathFactor} (plain) + {report.StepOverheadMib:F0} MiB[/]");
        var table = new Table();
        table.AddColumns("case", "patch", "batch", "path", "state MiB", "raw/sample MiB", "estimate MiB", "measured MiB", "measured/estimate", "implied factor", "step s");
        foreach (var r in report.Rows)
            table.AddRow(r.Name, r.Patch, r.Batch.ToString(), r.MemoryEfficientPath ? "recompute" : "plain", r.ParameterStateMib.ToString("F0"), r.RawPerSampleMib.ToString("F0"),
                r.EstimateMib.ToString("F0"), r.MeasuredMib.ToString("F0"), r.MeasuredOverEstimate.ToString("F2"), r.ImpliedFactor.ToString("F2"), r.StepSeconds.ToString("F2"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(settings.Out))}[/]");
        return 0;
    }
}
