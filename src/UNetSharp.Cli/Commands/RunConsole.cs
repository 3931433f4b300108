using Spectre.Console;
using UNetSharp.Pipeline;
using UNetSharp.Training;

namespace UNetSharp.Cli.Commands;

/// <summary>How a training run shows itself: a line per epoch (loss, validation Dice, time, ETA), then a table.</summary>
public static class RunConsole
{
    public static IProgress<EpochReport> EpochLines() => new SynchronousProgress<EpochReport>(r =>
    {
        string val = r.Validation is { } v && !double.IsNaN(v.Score) ? $"val Dice [bold]{v.Score:F4}[/]{(r.IsBest ? " [green]best[/]" : "")}" : "";
        AnsiConsole.MarkupLine($"epoch {r.Epoch,3}/{r.Epochs}  loss {r.TrainLoss:F4}  {val}  lr {r.LearningRate:G3}  {r.EpochTime.TotalSeconds:F1}s  ETA {Format(r.Eta)}{(r.Stopping ? "  [yellow]early stop[/]" : "")}");
    });

    public static IProgress<string> StatusLines() => new SynchronousProgress<string>(s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"));

    public static void Summary(TrainRunResult result)
    {
        var table = new Table().Title("validation, best checkpoint, every pruned depth");
        table.AddColumns("depth", "mean Dice", "seconds / case", "");
        foreach (var (depth, dice) in result.DiceByDepth.OrderBy(d => d.Key))
            table.AddRow($"L{depth}", dice.ToString("F4"), result.SecondsPerCaseByDepth[depth].ToString("F3"), depth == result.ChosenDepth ? "[green]chosen for prediction[/]" : "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.Epochs} epochs in {result.TrainingSeconds:F0} s on {result.TrainingCases} training cases; best epoch {result.BestEpoch}, {result.ValidationCases} validation cases");
        AnsiConsole.MarkupLine($"run folder  [bold]{Markup.Escape(Path.GetFullPath(result.RunDirectory))}[/]");
        AnsiConsole.MarkupLine($"metrics     {Markup.Escape(Path.GetFullPath(result.MetricsPath))}");
        if (result.CurvesPath is not null) AnsiConsole.MarkupLine($"curves      {Markup.Escape(Path.GetFullPath(result.CurvesPath))}");
        AnsiConsole.MarkupLine($"overlays    {Markup.Escape(Path.GetFullPath(result.OverlayDirectory))}");
    }

    static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";

    /// <summary>Progress&lt;T&gt; posts to the thread pool; lines must appear in order, now.</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
