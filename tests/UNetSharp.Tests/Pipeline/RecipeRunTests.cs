using UNetSharp.Pipeline;
using UNetSharp.Tests.Training;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

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
        var options = RunTestData.Tiny(data, run) with
        {
            Training = RunTestData.Tiny(data, run).Training with { TimeBudgetSeconds = 6, Schedule = ScheduleKind.Poly, MinLearningRate = 1e-5, HeadInit = HeadInitKind.Prior },
        };
        TrainingRun.Run(options);
        var saved = RunConfiguration.Load(run);
        var state = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State;
        Assert.Equal(6, saved.TimeBudgetSeconds);
        Assert.Equal(state.Iteration, saved.Iterations);
        Assert.True(state.Iteration > TrainingConfig.BudgetUntimedSteps + TrainingConfig.BudgetTimedSteps, $"{state.Iteration} steps");
        Assert.Equal(1e-5, state.History[^1].LearningRate, 12);
        // plan.json records the recipe, with the fixed count
        var recipe = UNetSharp.Planning.ExperimentPlan.Load(run).Recipe!;
        Assert.Equal(ScheduleKind.Poly, recipe.Schedule);
        Assert.Equal(saved.Iterations, recipe.Iterations);
        Assert.Equal(6, recipe.TimeBudgetSeconds);
        Assert.Equal(1.0 / 3, recipe.ForegroundRatio, 12);
        // and the class frequencies the heads started from (head init 'prior'), saved with it
        Assert.Equal(HeadInitKind.Prior, recipe.HeadInit);
        Assert.Equal(UNetSharp.Planning.ExperimentPlan.Load(run).ClassValues.Count, recipe.ClassPriors!.Count);
        Assert.Equal(1.0, recipe.ClassPriors.Sum(), 9);
        // config.json repeats the run: the same count, no new estimate
        Assert.Equal(saved.Iterations, saved.ToOptions().Training.TotalIterations(options.BatchesPerEpoch));
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
        Assert.Equal(1, RunConfiguration.Load(a.RunDirectory).Threads);
    }
}
