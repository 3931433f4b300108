using UNetSharp.Pipeline;
using UNetSharp.Tests.Training;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>The time budget through the train pipeline (the count lands in config.json) and the demo's pinned thread count.</summary>
[Collection(SerialTorchCollection.Name)]
[Trait("Category", "Slow")]
public sealed class RecipeRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-recipe-").FullName;
    readonly int threads = TorchSharp.torch.get_num_threads();

    public void Dispose()
    {
        TorchSharp.torch.set_num_threads(threads);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ATimeBudgetedRunSavesItsFixedStepCountInConfigJson()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 6);
        string run = Path.Combine(dir, "run");
        var options = RunTestData.Tiny(data, run).With(s => s with
        {
            Optimisation = s.Optimisation with { TimeBudget = 6, Schedule = ScheduleKind.Poly, MinLearningRate = 1e-5 },
            Network = s.Network with { HeadInit = HeadInitKind.Prior },
        });
        string planBefore = "";
        TrainingRun.Run(options with { Logger = new PlanWatcher(run, json => planBefore = json) });
        var saved = RunSettingsFile.Load(run);
        var state = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State;
        Assert.Equal(6, saved.Optimisation.TimeBudget);
        Assert.Equal(state.Iteration, saved.Optimisation.Iterations);
        Assert.True(state.Iteration > TrainingConfig.BudgetUntimedSteps + TrainingConfig.BudgetTimedSteps, $"{state.Iteration} steps");
        Assert.Equal(1e-5, state.History[^1].LearningRate, 12);
        // config.json records the recipe, with the fixed count (the plan is not rewritten for it: plan.json is frozen once planned)
        Assert.Equal(ScheduleKind.Poly, saved.Optimisation.Schedule);
        Assert.Equal(1.0 / 3, saved.Augmentation.ForegroundRatio, 12);
        Assert.Equal(HeadInitKind.Prior, saved.Network.HeadInit);
        Assert.Equal(planBefore, File.ReadAllText(Path.Combine(run, UNetSharp.Planning.ExperimentPlan.FileName)));
        // the class frequencies the heads started from (head init 'prior'), saved with the plan in its one write
        var plan = UNetSharp.Planning.ExperimentPlan.Load(run);
        Assert.Equal(plan.ClassValues.Count, plan.ClassPriors!.Count);
        Assert.Equal(1.0, plan.ClassPriors.Sum(), 9);
        // config.json repeats the run: the same count, no new estimate
        Assert.Equal(saved.Optimisation.Iterations, new TrainRunOptions { Settings = saved }.Training.TotalIterations(saved.Optimisation.BatchesPerEpoch));
    }

    [Fact]
    public void TwoDemosGiveTheSameCurveAndLeaveTheThreadCountAsItWas()
    {
        TorchSharp.torch.set_num_threads(3);
        var a = DemoRun.Run(new DemoOptions { OutDirectory = Path.Combine(dir, "a"), Images = 8, Size = 32, Epochs = 2, Seed = 3, Threads = 1 });
        Assert.Equal(3, TorchSharp.torch.get_num_threads());
        TorchSharp.torch.set_num_threads(2);
        var b = DemoRun.Run(new DemoOptions { OutDirectory = Path.Combine(dir, "b"), Images = 8, Size = 32, Epochs = 2, Seed = 3, Threads = 1 });
        Assert.Equal(2, TorchSharp.torch.get_num_threads());
        Assert.Equal(RunTestData.Curve(a.RunDirectory), RunTestData.Curve(b.RunDirectory));
        Assert.Equal(a.DiceByDepth, b.DiceByDepth);
        Assert.Equal(1, RunSettingsFile.Load(a.RunDirectory).Optimisation.Threads);
    }
}

/// <summary>Hands over plan.json as it is when training starts, to compare with the plan the run leaves behind.</summary>
sealed class PlanWatcher(string run, Action<string> seen) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel level) => true;
    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel level, Microsoft.Extensions.Logging.EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (formatter(state, exception).StartsWith("training on", StringComparison.Ordinal)) seen(File.ReadAllText(Path.Combine(run, UNetSharp.Planning.ExperimentPlan.FileName)));
    }
}
