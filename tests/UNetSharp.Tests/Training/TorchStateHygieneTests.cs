using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Training;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>
/// Library calls leave libtorch's process-wide state as the caller had it: the intra-op thread count, the default
/// generator (a training run seeds it for its own initialisation and dropout) and grad mode. Serial: the checks read
/// process-wide state that a parallel test could move.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class TorchStateHygieneTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-hygiene-").FullName;
    readonly int threads = get_num_threads();

    public void Dispose()
    {
        set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void TrainingAndPredictionLeaveThreadsGeneratorAndGradModeAsTheyWere()
    {
        set_num_threads(3);           // the scenario trains on 1 thread
        manual_seed(12345);           // the scenario seeds 7
        byte[] generator = GeneratorState();

        var (train, validation) = TrainingScenario.Data();
        using var trainer = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config with { Epochs = 2 }, train, root, HardDiceValidation.Create(validation));
        AssertUnchanged("Trainer.Start");
        trainer.Run();
        AssertUnchanged("Trainer.Run");

        var predictor = new SlidingWindowPredictor(trainer.Model);
        using (no_grad())
        {
            predictor.Predict(new float[32 * 32], 1, [32, 32]);
            Assert.False(is_grad_enabled(), "prediction turned grad mode back on inside the caller's no_grad");
        }
        predictor.Predict(new float[32 * 32], 1, [32, 32]);
        AssertUnchanged("SlidingWindowPredictor.Predict");

        // the caller's stream continues where it was: the same numbers as from a fresh manual_seed(12345)
        var drawn = rand(5).data<float>().ToArray();
        manual_seed(12345);
        Assert.Equal(rand(5).data<float>().ToArray(), drawn);

        void AssertUnchanged(string call)
        {
            Assert.True(get_num_threads() == 3, $"{call} left the thread count at {get_num_threads()}");
            Assert.True(is_grad_enabled(), $"{call} left grad mode off");
            Assert.True(generator.SequenceEqual(GeneratorState()), $"{call} moved the default generator");
        }
    }

    static byte[] GeneratorState()
    {
        using var state = random.get_rng_state();
        return state.data<byte>().ToArray();
    }
}
