using TorchSharp;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>The trainer end to end on <see cref="TrainingScenario"/>: repeatability, resume, checkpoints, history, early stopping.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-trainer-").FullName;
    readonly int threads = get_num_threads();

    public void Dispose()
    {
        set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    string Folder(string name) => Path.Combine(root, name);

    static Trainer StartScenario(string folder, TrainingConfig? config = null)
    {
        var (train, validation) = TrainingScenario.Data();
        return Trainer.Start(TrainingScenario.Network, config ?? TrainingScenario.Config, train, folder, HardDiceValidation.Create(validation));
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    public void TheSameSeedGivesTheIdenticalCurveAndWeights(OptimizerKind optimizer)
    {
        var config = TrainingScenario.Config with { Optimizer = optimizer, Epochs = 3 };
        using var first = StartScenario(Folder("a"), config);
        first.Run();
        using var second = StartScenario(Folder("b"), config);
        second.Run();
        Assert.Equal(3, first.State.History.Count);
        Assert.Equal(RunComparison.Curve(first.State), RunComparison.Curve(second.State));
        RunComparison.AssertSameWeights(first.Model, second.Model);
        // and the loss actually moved: the network trains
        Assert.True(first.State.History[^1].TrainLoss < first.State.History[0].TrainLoss, RunComparison.Curve(first.State));
        using var otherSeed = StartScenario(Folder("c"), config with { Seed = 8 });
        otherSeed.Run();
        Assert.NotEqual(RunComparison.Curve(first.State), RunComparison.Curve(otherSeed.State));
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    public void AStoppedRunResumedFromItsLastCheckpointEndsExactlyAsAnUninterruptedRun(OptimizerKind optimizer)
    {
        var config = TrainingScenario.Config with { Optimizer = optimizer };
        using var whole = StartScenario(Folder("whole"), config);
        whole.Run();

        using (var interrupted = StartScenario(Folder("cut"), config))
        {
            using var cancel = new CancellationTokenSource();
            var progress = new Inline(r => { if (r.Epoch == 2) cancel.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => interrupted.Run(progress, cancel.Token));
        }
        torch.manual_seed(999); // whatever happens to the generator in between must not matter
        string leftover = Path.Combine(Folder("cut"), $".{Trainer.LastCheckpointName}.4242.0123abcd.tmp"); // as a kill mid-write leaves
        File.WriteAllBytes(leftover, new byte[] { 1, 2, 3 });
        var (train, validation) = TrainingScenario.Data();
        using var resumed = Trainer.Resume(Folder("cut"), train, HardDiceValidation.Create(validation));
        Assert.Equal(2, resumed.State.CompletedEpochs);
        Assert.False(File.Exists(leftover));
        resumed.Run();
        Assert.Equal(RunComparison.Curve(whole.State), RunComparison.Curve(resumed.State));
        RunComparison.AssertSameWeights(whole.Model, resumed.Model);
        Assert.Equal(CsvWithoutSeconds(Folder("whole")), CsvWithoutSeconds(Folder("cut")));
    }

    [Fact]
    public void RunFolderHoldsBestAndLastCheckpointsAndTheHistory()
    {
        using var trainer = StartScenario(Folder("run"));
        var reports = new List<EpochReport>();
        trainer.Run(new Inline(reports.Add));

        // 5 epochs, validation after epochs 2, 4 and 5 (the last).
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, reports.Select(r => r.Epoch));
        Assert.Equal(new[] { false, true, false, true, true }, reports.Select(r => r.Validation is not null));
        Assert.Equal(TimeSpan.Zero, reports[^1].Eta);
        Assert.Equal(20, trainer.State.Iteration);
        string[] lines = File.ReadAllLines(Path.Combine(Folder("run"), HistoryCsv.FileName));
        Assert.Equal("epoch,lr,train_loss,bce,dice,cgm,val_score,seconds", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Equal("", lines[1].Split(',')[6]);
        // Each row's parts add up to its loss.
        foreach (var row in trainer.State.History) Assert.Equal(row.TrainLoss, row.LossParts.Sum(), 1e-5);

        var last = CheckpointFile.Read(trainer.LastCheckpointPath);
        Assert.Equal(5, last.State.CompletedEpochs);
        var best = CheckpointFile.Read(trainer.BestCheckpointPath);
        Assert.Equal(trainer.State.BestEpoch, best.State.CompletedEpochs);
        Assert.Equal(trainer.State.History.Where(r => r.ValidationScore is not null).Max(r => r.ValidationScore), trainer.State.BestScore);
        using var reloaded = CheckpointFile.LoadModel(trainer.LastCheckpointPath);
        RunComparison.AssertSameWeights(trainer.Model, reloaded);
        Assert.Throws<ConfigurationException>(() => StartScenario(Folder("run")));
    }

    [Fact]
    public void EarlyStoppingEndsTheRunWhenValidationStopsImproving()
    {
        // A validator whose score only falls: the best stays epoch 1, patience 2 stops after epoch 3.
        var (train, _) = TrainingScenario.Data();
        double score = 1;
        var config = TrainingScenario.Config with { Epochs = 10, ValidateEvery = 1, Patience = 2 };
        using var trainer = Trainer.Start(TrainingScenario.Network, config, train, Folder("stop"), _ => new ValidationResult(score -= 0.1, new[] { score }));
        var state = trainer.Run();
        Assert.True(state.EarlyStopped);
        Assert.Equal(3, state.CompletedEpochs);
        Assert.Equal(1, state.BestEpoch);
    }

    [Fact]
    public void AnIterationBudgetStopsMidEpoch()
    {
        using var trainer = StartScenario(Folder("budget"), TrainingScenario.Config with { MaxIterations = 6 });
        var state = trainer.Run();
        Assert.Equal(6, state.Iteration);
        Assert.Equal(2, state.CompletedEpochs);
    }

    [Fact]
    public void ResumingWithDifferentDataIsRefused()
    {
        using (var trainer = StartScenario(Folder("data"), TrainingScenario.Config with { Epochs = 1 })) trainer.Run();
        var (images, masks) = Tests.Models.TinyNets.Blobs(4, 2, 32, seed: 1);
        var other = new InMemoryBatchSource(images, masks.squeeze(1).to_type(ScalarType.Int64), 2, 0);
        var e = Assert.Throws<ConfigurationException>(() => Trainer.Resume(Folder("data"), other));
        Assert.Contains("batches per epoch", e.Message);
    }

    static string[] CsvWithoutSeconds(string folder) =>
        File.ReadAllLines(Path.Combine(folder, HistoryCsv.FileName)).Select(l => l[..l.LastIndexOf(',')]).ToArray();

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Inline(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
