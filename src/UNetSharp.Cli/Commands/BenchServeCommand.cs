using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.IO;
using UNetSharp.Serve;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp bench serve`: load test of the segmentation service against the same work in-process (JSON result).</summary>
public sealed class BenchServeCommand : Command<BenchServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>"), Description("model to serve (default: a random 2D UNet# with --widths)")] public string? Model { get; init; }
        [CommandOption("--widths <LIST>"), Description("widths of the random model (default 16,32,64,128,256: depth 4)")] public string Widths { get; init; } = "16,32,64,128,256";
        [CommandOption("--depths <LIST>"), Description("depths to load (default 1,4)")] public string Depths { get; init; } = "1,4";
        [CommandOption("--clients <N>"), Description("concurrent HTTP clients (default 8)")] public int Clients { get; init; } = 8;
        [CommandOption("--requests <N>"), Description("timed requests per depth (default 500; fewer for a quick run)")] public int Requests { get; init; } = 500;
        [CommandOption("--size <N>"), Description("PNG side (default 256)")] public int Size { get; init; } = 256;
        [CommandOption("--concurrency <N>"), Description("server workers (default 1)")] public int Concurrency { get; init; } = 1;
        [CommandOption("--threads <N>"), Description("torch threads for server and in-process run (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--out <FILE>"), Description("JSON result file (default bench-serve.json)")] public string Out { get; init; } = "bench-serve.json";

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--clients", Clients, 1), FlagChecks.AtLeast("--requests", Requests, 1), FlagChecks.AtLeast("--size", Size, 16),
            FlagChecks.AtLeast("--concurrency", Concurrency, 1), FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.File("--out", Out));
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        ServeBenchmarkReport report;
        try
        {
            var options = new ServeBenchmarkOptions
            {
                Model = s.Model, Widths = NetworkSettings.ParseList(s.Widths, "--widths"), Depths = NetworkSettings.ParseList(s.Depths, "--depths"),
                Clients = s.Clients, Requests = s.Requests, Size = s.Size, Concurrency = s.Concurrency, Threads = s.Threads,
            };
            ServeBenchmarkReport? result = null;
            AnsiConsole.Status().Start("benchmarking", ctx =>
                result = ServeBenchmark.RunAsync(options, new Inline(m => ctx.Status(Markup.Escape(m)))).GetAwaiter().GetResult());
            report = result!;
        }
        catch (UNetSharpException e)
        {
            CliOutput.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        AtomicFile.WriteAllText(s.Out, ProjectJson.Serialize(report));
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(report.Machine)}; {report.Threads} torch threads, {report.Clients} clients, {report.Workers} worker(s), " +
            $"load average {report.LoadBefore:F1} -> {report.LoadAfter:F1}[/]");
        var table = new Table();
        table.AddColumns("depth", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "inference ms", "req/s", "in-process req/s", "ratio", "RSS MB before -> after");
        foreach (var r in report.Rows)
            table.AddRow($"L{r.Depth}", r.Requests.ToString(), r.Errors.ToString(), r.P50Ms.ToString("F1"), r.P95Ms.ToString("F1"), r.P99Ms.ToString("F1"),
                r.MeanInferenceMs.ToString("F1"), r.ThroughputPerSecond.ToString("F1"), r.InProcessPerSecond.ToString("F1"), r.Ratio.ToString("F2"),
                $"{r.RssBeforeMb:F0} -> {r.RssAfterMb:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"RSS {report.RssStartMb:F0} MB at start, {report.RssEndMb:F0} MB at the end; written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        return 0;
    }

    sealed class Inline(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
