using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Tests.Training;
using UNetSharp.Training;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>What a run reports: per-class Dice (epoch line, history.csv), the plan and resume changes through ILogger, snake_case plan.json.</summary>
[Collection(SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class RunReportingTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-report-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void MultiClassRunsShowValidationDicePerClassInTheEpochLineAndHistory()
    {
        var validation = new ValidationResult(0.7, [0.9, 0.5]);
        var report = new EpochReport(3, 10, 30, 1e-3, 0.25, new Dictionary<string, double> { ["seg"] = 0.2 }, validation, true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(14), false);
        Assert.Contains("val Dice [bold]0.7000[/] (class 1: 0.9000, 2: 0.5000) [green]best[/]", RunConsole.EpochLine(report, Verbosity.Normal));
        Assert.DoesNotContain("seg 0.2000", RunConsole.EpochLine(report, Verbosity.Normal));
        Assert.Contains("seg 0.2000", RunConsole.EpochLine(report, Verbosity.Verbose));
        var binary = report with { Validation = new ValidationResult(0.8, [0.8]) };
        Assert.DoesNotContain("class", RunConsole.EpochLine(binary, Verbosity.Normal));

        var state = new TrainingState { PartNames = ["seg"] };
        state.History.Add(new HistoryRow { Epoch = 1, LearningRate = 0.5, TrainLoss = 0.25, LossParts = [0.125], ValidationScore = 0.7, ValidationPerClass = [0.9, 0.5], Seconds = 1 });
        state.History.Add(new HistoryRow { Epoch = 2, LearningRate = 0.5, TrainLoss = 0.25, LossParts = [0.125], Seconds = 1 });
        var lines = HistoryCsv.Format(state).Split('\n');
        Assert.Equal("epoch,lr,train_loss,seg,val_score,val_dice_1,val_dice_2,seconds", lines[0]);
        Assert.Equal("1,0.5,0.25,0.125,0.7,0.9,0.5,1.000", lines[1]);
        Assert.Equal("2,0.5,0.25,0.125,,,,1.000", lines[2]);
    }

    [Fact]
    public void TheRunLogsItsPlanAndTheSettingsAResumeChanges()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"));
        string run = Path.Combine(root, "run");
        var log = new ListLogger();
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1) with { Logger = log });
        Assert.Contains(log.Lines, l => l.StartsWith("Information plan: unet# 2D depth 2, widths 4,8,16", StringComparison.Ordinal) && l.Contains("patch 32x32, batch 2, 1 epochs x 3 steps") && l.Contains("5 training / 1 validation cases"));
        // the memory line: the given patch and batch and the estimate against the default budget
        Assert.Contains(log.Lines, l => l.StartsWith("Information memory: patch 32x32 given; batch 2 given (estimate ", StringComparison.Ordinal));

        using (var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, ExperimentPlan.FileName))))
        {
            Assert.Equal(2, plan.RootElement.GetProperty("patch_size").GetArrayLength()); // was "patchSize" (camelCase)
            Assert.Equal("batch", plan.RootElement.GetProperty("network").GetProperty("norm").GetString());
            Assert.Equal(PlanOptions.DefaultMemoryBudget, plan.RootElement.GetProperty("memory").GetProperty("budget_bytes").GetInt64());
        }

        log.Lines.Clear();
        var saved = new TrainRunOptions { Settings = RunSettingsFile.Load(run) };
        TrainingRun.Run(saved.With(s => s with { Optimisation = s.Optimisation with { Epochs = 2 } }) with { Resume = true, Logger = log });
        Assert.Contains("Information resuming with epochs 2 (the run had 1)", log.Lines);

        // the library refuses what the CLI refuses, naming the setting
        var e = Assert.Throws<ConfigurationException>(() => TrainingRun.Run(saved.With(s => s with { Optimisation = s.Optimisation with { Epochs = 2, LearningRate = 0.5 } }) with { Resume = true }));
        Assert.Equal($"lr 0.5 conflicts with the run's lr {saved.Training.LearningRate.ToString(CultureInfo.InvariantCulture)} ({Path.Combine(run, "config.json")}); start a new run or keep the run's settings", e.Message);
    }

    sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{level} {formatter(state, exception)}");
    }
}
