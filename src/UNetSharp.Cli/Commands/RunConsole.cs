using Microsoft.Extensions.Logging;
using Spectre.Console;
using UNetSharp.Pipeline;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Cli.Commands;

/// <summary>How much a run prints: --quiet (warnings, errors, the summary), normal, --verbose (loss parts, debug messages).</summary>
public enum Verbosity { Quiet, Normal, Verbose }

/// <summary>
/// How a training run shows itself: the library's log messages (the plan, loading, evaluation, resume changes) as grey
/// lines, a progress bar inside each epoch on an interactive terminal (a plain line every
/// <see cref="PlainProgressInterval"/> otherwise, e.g. in CI), a line per epoch (loss, validation Dice per class, time,
/// ETA), then a table.
/// </summary>
public sealed class RunConsole
{
    /// <summary>Without a terminal, one progress line per this much time inside an epoch.</summary>
    public static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(30);

    readonly Verbosity verbosity;
    readonly bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    readonly object gate = new();
    bool barShown;
    DateTime lastPlainLine = DateTime.UtcNow;

    public RunConsole(Verbosity verbosity)
    {
        this.verbosity = verbosity;
        Logger = new ConsoleLogger(this);
    }

    public static Verbosity VerbosityOf(bool? quiet, bool? verbose) => (quiet ?? false, verbose ?? false) switch
    {
        (true, true) => throw new ConfigurationException("--quiet and --verbose exclude each other; pass one"),
        (true, false) => Verbosity.Quiet,
        (false, true) => Verbosity.Verbose,
        _ => Verbosity.Normal,
    };

    /// <summary>The logger the library reports through.</summary>
    public ILogger Logger { get; }

    public void Header(string markup)
    {
        if (verbosity != Verbosity.Quiet) Line(markup);
    }

    public IProgress<EpochReport> EpochLines() => new SynchronousProgress<EpochReport>(r =>
    {
        if (verbosity != Verbosity.Quiet) Line(EpochLine(r, verbosity));
    });

    /// <summary>One epoch as console markup: loss (with its parts when verbose), validation Dice (per foreground class for multi-class runs), lr, time, ETA.</summary>
    public static string EpochLine(EpochReport r, Verbosity verbosity)
    {
        string val = "";
        if (r.Validation is { } v && !double.IsNaN(v.Score))
        {
            string perClass = v.PerClass.Count > 1 ? $" (class {string.Join(", ", v.PerClass.Select((d, i) => $"{i + 1}: {d:F4}"))})" : "";
            val = $"val Dice [bold]{v.Score:F4}[/]{perClass}{(r.IsBest ? " [green]best[/]" : "")}";
        }
        string parts = verbosity == Verbosity.Verbose && r.LossParts.Count > 0
            ? $"  [grey]{Markup.Escape(string.Join(" ", r.LossParts.Select(p => $"{p.Key} {p.Value:F4}")))}[/]" : "";
        return $"epoch {r.Epoch,3}/{r.Epochs}  loss {r.TrainLoss:F4}{parts}  {val}  lr {r.LearningRate:G3}  {r.EpochTime.TotalSeconds:F1}s  ETA {Format(r.Eta)}{(r.Stopping ? "  [yellow]early stop[/]" : "")}";
    }

    /// <summary>Progress inside an epoch: a bar redrawn in place on a terminal, else a plain line now and then.</summary>
    public IProgress<StepReport>? StepProgress() => verbosity == Verbosity.Quiet ? null : new SynchronousProgress<StepReport>(r =>
    {
        lock (gate)
        {
            if (interactive)
            {
                const int width = 30;
                int filled = (int)((long)width * r.Batch / Math.Max(1, r.Batches));
                Console.Out.Write($"\repoch {r.Epoch,3}/{r.Epochs}  [{new string('#', filled)}{new string('-', width - filled)}] {r.Batch}/{r.Batches}  loss {r.MeanLoss:F4} ");
                barShown = true;
            }
            else if (DateTime.UtcNow - lastPlainLine >= PlainProgressInterval)
            {
                lastPlainLine = DateTime.UtcNow;
                Console.Out.WriteLine($"  epoch {r.Epoch}/{r.Epochs}  step {r.Batch}/{r.Batches}  loss {r.MeanLoss:F4}");
            }
        }
    });

    public void Summary(TrainRunResult result)
    {
        ClearBar();
        // the all fold validates nothing: its depths' figures are its cross-validation's
        bool validated = result.ValidationCases > 0;
        if (result.DiceByDepth.Count > 0)
        {
            var table = new Table().Title(validated ? "validation, best checkpoint, every pruned depth" : "the cross-validation's means, every pruned depth");
            table.AddColumns("depth", "mean Dice", "seconds / case", "");
            foreach (var (depth, dice) in result.DiceByDepth.OrderBy(d => d.Key))
            {
                string note = depth == result.ChosenDepth ? "[green]chosen for prediction[/]" : "";
                if (result.Baseline is { } b && !b.BeatenBy(dice)) note = (note.Length > 0 ? note + ", " : "") + "[yellow]not above the trivial baseline[/]";
                table.AddRow($"L{depth}", dice.ToString("F4"), result.SecondsPerCaseByDepth[depth].ToString("F3"), note);
            }
            AnsiConsole.Write(table);
        }
        if (result.DepthChoice is { } choice) AnsiConsole.MarkupLine($"depth rule  {Markup.Escape(choice.Rule.ToString())}: L{result.ChosenDepth}");
        else if (!validated) AnsiConsole.MarkupLine($"no validation: predicts at its full depth L{result.ChosenDepth}");
        if (result.Baseline is { } baseline)
        {
            AnsiConsole.MarkupLine($"trivial baselines on the same cases (mean Dice of a constant map): {Markup.Escape(baseline.Describe())}");
            if (!result.BeatsTrivialBaseline)
                AnsiConsole.MarkupLine($"[yellow]the chosen depth L{result.ChosenDepth} does not beat the trivial baseline {baseline.Best:F4}: the model has learned nothing a constant map would not give[/]");
        }
        AnsiConsole.MarkupLine($"{result.Epochs} epochs in {result.TrainingSeconds:F0} s on {result.TrainingCases} training cases; best epoch {result.BestEpoch}, {result.ValidationCases} validation cases");
        AnsiConsole.MarkupLine($"run folder  [bold]{Markup.Escape(Path.GetFullPath(result.RunDirectory))}[/]");
        AnsiConsole.MarkupLine($"metrics     {Markup.Escape(Path.GetFullPath(result.MetricsPath))}");
        if (result.CurvesPath is not null) AnsiConsole.MarkupLine($"curves      {Markup.Escape(Path.GetFullPath(result.CurvesPath))}");
        if (validated) AnsiConsole.MarkupLine($"overlays    {Markup.Escape(Path.GetFullPath(result.OverlayDirectory))}");
        string report = Path.Combine(result.RunDirectory, "report.html");
        if (File.Exists(report)) AnsiConsole.MarkupLine($"report      {Markup.Escape(Path.GetFullPath(report))}");
    }

    /// <summary>After a cross-validation call: each fold's chosen depth, and the summary over all folds once they are done.</summary>
    public void Summary(CrossValidationResult result)
    {
        ClearBar();
        foreach (var (fold, r) in result.Results.OrderBy(r => r.Key))
            AnsiConsole.MarkupLine($"fold {fold}: L{r.ChosenDepth} Dice {r.DiceByDepth[r.ChosenDepth]:F4} on {r.ValidationCases} validation cases, {r.TrainingSeconds:F0} s of training");
        if (result.Summary is not { } s)
        {
            AnsiConsole.MarkupLine($"{result.FoldsDone.Count} of {result.Folds} folds finished ({string.Join(", ", result.FoldsDone.Select(f => $"fold_{f}"))}); the cross-validation summary comes when all are");
            return;
        }
        var table = new Table().Title($"{result.Folds}-fold cross-validation: Dice mean ± sd over every fold's validation cases");
        table.AddColumns("depth", "class", "cases", "Dice", "");
        foreach (var (depth, classes) in s.Depths)
            foreach (var c in classes)
                table.AddRow($"L{depth}", c.Class.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Cases.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"{c.Mean:F4} ± {c.StandardDeviation:F4}", depth == s.ChosenDepth ? "[green]chosen[/]" : "");
        AnsiConsole.Write(table);
        foreach (var c in s.PostProcessingClasses)
            AnsiConsole.MarkupLine($"class {c.Class}: keep-largest {(c.KeepLargestOn ? "[green]on[/]" : "off")} ({c.Raw:F4} -> {c.KeepLargest:F4}), fill holes {(c.FillHolesOn ? "[green]on[/]" : "off")} (-> {c.FillHoles:F4})");
        AnsiConsole.MarkupLine($"summary     {Markup.Escape(Path.GetFullPath(s.JsonPath))}, {Markup.Escape(Path.GetFileName(s.CsvPath))}");
    }

    /// <summary>After Ctrl+C / SIGTERM: where the run stopped (its last.ckpt) and, when it can continue, the command that does.</summary>
    public void Stopped(string runFolder, string? resume)
    {
        ClearBar();
        string path = Path.Combine(runFolder, Trainer.LastCheckpointName);
        string where = "before the first checkpoint";
        if (File.Exists(path))
        {
            var state = CheckpointFile.Read(path).State;
            where = $"epoch {state.CompletedEpochs + (state.Partial is null ? 0 : 1)} (step {state.Iteration})";
        }
        Console.Error.WriteLine(resume is null ? $"stopped at {where}" : $"stopped at {where}; resume with: {resume}");
    }

    void Line(string markup)
    {
        lock (gate)
        {
            ClearBar();
            AnsiConsole.MarkupLine(markup);
        }
    }

    void ClearBar()
    {
        lock (gate)
        {
            if (!barShown) return;
            Console.Out.Write("\r" + new string(' ', Math.Max(0, Console.IsOutputRedirected ? 80 : Console.WindowWidth - 1)) + "\r");
            barShown = false;
        }
    }

    static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";

    /// <summary>Progress&lt;T&gt; posts to the thread pool; lines must appear in order, now.</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Library messages: information as grey lines, warnings and errors on stderr; filtered by the verbosity.</summary>
    sealed class ConsoleLogger(RunConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= console.verbosity switch
        {
            Verbosity.Quiet => LogLevel.Warning,
            Verbosity.Verbose => LogLevel.Debug,
            _ => LogLevel.Information,
        };

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(level)) return;
            string text = formatter(state, exception);
            if (level >= LogLevel.Warning)
            {
                console.ClearBar();
                Console.Error.WriteLine($"warning: {text}");
            }
            else console.Line($"[grey]{Markup.Escape(text)}[/]");
        }
    }
}
