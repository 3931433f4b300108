using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using UNetSharp.Training;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>
/// One small, fixed training run shared by the in-process tests and the kill-and-resume child process
/// (tests/UNetSharp.TrainKillHelper), so both train exactly the same thing: a depth-2 UNet# with CGMs (dropout exercises
/// the torch RNG state) on 8 blobs of 32 px, batch 2, one CPU thread.
/// </summary>
public static class TrainingScenario
{
    public static NetworkConfig Network => TinyNets.Config(depth: 2, cgm: true);

    public static TrainingConfig Config => new()
    {
        Epochs = 5,
        LearningRate = 5e-3,
        WarmupEpochs = 1,
        ValidateEvery = 2,
        GradientClipNorm = 5,
        Seed = 7,
        Threads = 1,
    };

    /// <summary>The scenario with a wall-clock budget instead of epochs, on nnU-Net's poly schedule (SGD, Nesterov).</summary>
    public static TrainingConfig Budgeted(double seconds) => Config with
    {
        TimeBudgetSeconds = seconds, Schedule = ScheduleKind.Poly, Optimizer = OptimizerKind.Sgd, Momentum = 0.9, Nesterov = true,
        LearningRate = 0.02, MinLearningRate = 1e-4,
    };

    /// <summary>Training batches (shuffled per epoch) and a validation source; <paramref name="batchDelayMs"/> slows batches down so a kill lands mid-run.</summary>
    public static (IBatchSource Train, IBatchSource Validation) Data(int batchDelayMs = 0)
    {
        var (images, masks) = TinyNets.Blobs(12, 2, 32, seed: 11);
        var labels = masks.squeeze(1).to_type(ScalarType.Int64);
        var train = new InMemoryBatchSource(images.narrow(0, 0, 8), labels.narrow(0, 0, 8), batchSize: 2, shuffleSeed: 3);
        var validation = new InMemoryBatchSource(images.narrow(0, 8, 4), labels.narrow(0, 8, 4), batchSize: 4, shuffleSeed: null);
        return (batchDelayMs > 0 ? new SlowBatchSource(train, batchDelayMs) : train, validation);
    }

    sealed class SlowBatchSource(IBatchSource inner, int delayMs) : IBatchSource
    {
        public int BatchesPerEpoch => inner.BatchesPerEpoch;

        public (Tensor Images, Tensor Labels) GetBatch(int epoch, int batch)
        {
            Thread.Sleep(delayMs);
            return inner.GetBatch(epoch, batch);
        }
    }
}
