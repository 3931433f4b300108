using System.Diagnostics;
using UNetSharp.Training;

namespace UNetSharp.Tests.Training;

/// <summary>Native memory stays flat over epochs of training, validation and checkpointing.</summary>
[Collection(SerialTorchCollection.Name)]
[Trait("Category", "Slow")]
public sealed class TrainerMemoryTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-memory-").FullName;
    readonly int threads = TorchSharp.torch.get_num_threads();

    public void Dispose()
    {
        TorchSharp.torch.set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void ResidentMemoryStaysFlatAcrossEpochs()
    {
        var (train, validation) = TrainingScenario.Data();
        var config = TrainingScenario.Config with { Epochs = 25, ValidateEvery = 1 };
        var rss = new Dictionary<int, long>();
        using var trainer = Trainer.Start(TrainingScenario.Network with { Widths = new[] { 16, 16, 16 } }, config, train, root, HardDiceValidation.Create(validation));
        trainer.Run(new Sampler(r =>
        {
            if (r.Epoch is not (5 or 25)) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            rss[r.Epoch] = process.WorkingSet64;
        }));
        // Leaking each step's tensors (about 1 MB here) adds ~90 MB over the 80 steps measured (checked by removing the scope).
        Assert.True(rss[25] - rss[5] < 40L << 20, $"RSS grew from {rss[5] >> 20} MB to {rss[25] >> 20} MB over 20 epochs");
    }

    sealed class Sampler(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
