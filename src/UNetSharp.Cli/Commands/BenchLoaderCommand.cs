using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Evaluation;
using UNetSharp.IO;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp bench loader`: patch-loader throughput per data set against the UNet# training-step rate, written to JSON.</summary>
public sealed class BenchLoaderCommand : Command<BenchLoaderCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder, repeatable (default: isbi2012-em, dsb2018/stage1_train and msd-hippocampus under ../shared/data or $UNETSHARP_SHARED_DATA)")]
        public string[]? Data { get; init; }

        [CommandOption("--batch <N>"), Description("patches per batch, at least 1"), DefaultValue(2)] public int Batch { get; init; } = 2;
        [CommandOption("--patch <SIZE>"), Description("patch for every data set, e.g. 256x256 (default 256x256 in 2D, 40x56x40 in 3D)")] public string? Patch { get; init; }
        [CommandOption("--augment <KIND>"), Description("none | unetsharp | nnunet (unetsharp: the UNet# authors' rot90, flip and intensity)"), DefaultValue("unetsharp")] public string Augment { get; init; } = "unetsharp";
        [CommandOption("--workers <N>"), Description("loader threads, 1 or 2"), DefaultValue(1)] public int Workers { get; init; } = 1;
        [CommandOption("--batches <N>"), Description("timed batches per data set, at least 1"), DefaultValue(20)] public int Batches { get; init; } = 20;
        [CommandOption("--gray"), Description("colour images as one gray channel, e.g. DSB (default: keep RGB)")] public bool Gray { get; init; }
        [CommandOption("--no-step"), Description("skip the training-step comparison (default: run it)")] public bool NoStep { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file"), DefaultValue("bench-loader.json")] public string Out { get; init; } = "bench-loader.json";

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--batch", Batch, 1), FlagChecks.AtLeast("--batches", Batches, 1), FlagChecks.OneOf("--workers", Workers, 1, 2),
            FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.File("--out", Out));
    }

    public static IReadOnlyList<string> DefaultDataSets()
    {
        string? env = Environment.GetEnvironmentVariable("UNETSHARP_SHARED_DATA");
        string root = !string.IsNullOrEmpty(env) ? env : Path.Combine("..", "shared", "data");
        string[] sets = [Path.Combine(root, "isbi2012-em"), Path.Combine(root, "dsb2018", "stage1_train"), Path.Combine(root, "msd-hippocampus")];
        var missing = sets.Where(s => !Directory.Exists(s)).ToList();
        if (missing.Count > 0) throw new ConfigurationException($"shared data set {Path.GetFullPath(missing[0])} not found; name data sets with --data");
        return sets;
    }

    public static int[] ParsePatch(string text)
    {
        var parts = text.Split('x', ',');
        if (parts.Length is < 2 or > 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0))
            throw new ConfigurationException($"--patch must be 2 or 3 positive sizes separated by 'x', got '{text}'");
        return parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        TorchThreads.While(settings.Threads, () => Run(settings));

    static int Run(Settings settings)
    {
        var dirs = settings.Data is { Length: > 0 } given ? given : DefaultDataSets();
        var options = new LoaderBenchmarkOptions
        {
            BatchSize = settings.Batch, PatchSize = settings.Patch is null ? null : ParsePatch(settings.Patch), Augment = settings.Augment,
            Workers = settings.Workers, Batches = settings.Batches, Gray = settings.Gray, TrainingStep = !settings.NoStep,
        };
        LoaderBenchmarkOptions.Pipeline(options.Augment); // reject a bad --augment before minutes of loading
        LoaderBenchmarkReport report = null!;
        AnsiConsole.Status().Start("benchmarking", ctx => report = LoaderBenchmark.Run(dirs, options, new Progress<string>(s => ctx.Status(Markup.Escape(s)))));
        AtomicFile.WriteAllText(settings.Out, report.ToJson());

        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(report.Machine)}; torch threads {report.TorchThreads}[/]");
        var first = report.Rows[0];
        AnsiConsole.MarkupLine($"batch {first.Batch}, augment {first.Augment}, {first.Workers} loader worker(s); step = forward + backward + Adam of UNet#");
        var table = new Table();
        table.AddColumns("data", "patch", "read s", "loader cases/s", "step cases/s", "loader/step");
        foreach (var r in report.Rows)
            table.AddRow($"{Markup.Escape(r.Data)} ({r.Cases})", string.Join("x", r.Patch), r.LoadAllSeconds.ToString("F1", CultureInfo.InvariantCulture),
                r.CasesPerSecond.ToString("F1", CultureInfo.InvariantCulture), r.StepCasesPerSecond?.ToString("F2", CultureInfo.InvariantCulture) ?? "-",
                r.LoaderVsStep is { } ratio ? $"{ratio.ToString("F1", CultureInfo.InvariantCulture)}x" : "-");
        AnsiConsole.Write(table);
        foreach (var r in report.Rows.Where(r => r.StepNetwork is not null))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.Data)}: step of {Markup.Escape(r.StepNetwork!)} at {string.Join("x", r.StepPatch!)} took {r.StepSeconds:F3} s[/]");
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.GetFullPath(settings.Out))}[/]");
        return 0;
    }
}
