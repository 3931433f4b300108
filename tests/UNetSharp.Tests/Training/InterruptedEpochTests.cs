using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>
/// Cancelling a run inside an epoch saves last.ckpt at that batch (<see cref="TrainingState.Partial"/>); the resumed run
/// ends with the same weights and curve as an uninterrupted one, and its training time includes the time before.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class InterruptedEpochTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-interrupt-").FullName;
    readonly int threads = get_num_threads();

    public void Dispose()
    {
        set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void ACancelledEpochResumesAtItsBatchToTheUninterruptedResult()
    {
        var (train, validation) = TrainingScenario.Data();
        using var cancel = new CancellationTokenSource();
        string stopped = Path.Combine(root, "stopped");
        using (var trainer = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config, new CancelAt(train, epoch: 2, batch: 1, cancel), stopped, HardDiceValidation.Create(validation)))
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Run(cancellation: cancel.Token));

        var saved = CheckpointFile.Read(Path.Combine(stopped, Trainer.LastCheckpointName)).State;
        Assert.Equal(2, saved.CompletedEpochs);
        Assert.Equal(2, saved.Partial!.Batch); // batch 1 was trained, then the trainer stopped before batch 2
        Assert.Equal(2 * 4 + 2, saved.Iteration);
        Assert.True(saved.TrainingSeconds > 0);

        using var resumed = Trainer.Resume(stopped, train, HardDiceValidation.Create(validation));
        resumed.Run();
        using var whole = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config, train, Path.Combine(root, "whole"), HardDiceValidation.Create(validation));
        whole.Run();
        Assert.Equal(RunComparison.Curve(whole.State), RunComparison.Curve(resumed.State));
        RunComparison.AssertSameWeights(whole.Model, resumed.Model);
        Assert.Null(resumed.State.Partial);
        Assert.True(resumed.State.TrainingSeconds > saved.TrainingSeconds);
    }

    [Fact]
    public void AResumeMayRunLongerButNotChangeOtherTrainingSettings()
    {
        var (train, validation) = TrainingScenario.Data();
        string run = Path.Combine(root, "run");
        using (var first = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config with { Epochs = 1 }, train, run, HardDiceValidation.Create(validation)))
            first.Run();
        Assert.Contains("may change only epochs, iterations, threads and patience",
            Assert.Throws<ConfigurationException>(() => Trainer.Resume(run, train, null, TrainingScenario.Config with { Epochs = 2, LearningRate = 1 })).Message);
        using var longer = Trainer.Resume(run, train, HardDiceValidation.Create(validation), TrainingScenario.Config with { Epochs = 2, Patience = 9 });
        longer.Run();
        Assert.Equal(2, longer.State.CompletedEpochs);
        Assert.Equal(2, CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).Training.Epochs);
    }

    /// <summary>Cancels the token when batch (epoch, batch) is fetched (so that batch still trains).</summary>
    sealed class CancelAt(IBatchSource inner, int epoch, int batch, CancellationTokenSource cancel) : IBatchSource
    {
        public int BatchesPerEpoch => inner.BatchesPerEpoch;

        public (Tensor Images, Tensor Labels) GetBatch(int e, int b)
        {
            if (e == epoch && b == batch) cancel.Cancel();
            return inner.GetBatch(e, b);
        }
    }
}
