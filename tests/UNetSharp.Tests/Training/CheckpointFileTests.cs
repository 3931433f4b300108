using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Tests.Training;

/// <summary>A damaged checkpoint fails loudly with the file's name and never yields a half-loaded model.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class CheckpointFileTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-ckpt-").FullName;
    readonly int threads = TorchSharp.torch.get_num_threads();

    public void Dispose()
    {
        TorchSharp.torch.set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    string TrainedCheckpoint()
    {
        var (train, _) = TrainingScenario.Data();
        using var trainer = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config with { Epochs = 1 }, train, root);
        trainer.Run();
        return trainer.LastCheckpointPath;
    }

    [Fact]
    public void ACheckpointRoundTripsItsConfigurationAndState()
    {
        var checkpoint = CheckpointFile.Read(TrainedCheckpoint());
        Assert.Equal(TrainingScenario.Config with { Epochs = 1 }, checkpoint.Training with { Loss = TrainingScenario.Config.Loss });
        Assert.Equal(TrainingScenario.Config.Loss, checkpoint.Training.Loss);
        Assert.Equal(TrainingScenario.Network.Widths, checkpoint.Network.Widths);
        Assert.Equal(TrainingScenario.Network with { Widths = checkpoint.Network.Widths }, checkpoint.Network);
        Assert.Equal(1, checkpoint.State.CompletedEpochs);
        Assert.Equal(4, checkpoint.State.Iteration);
        Assert.Single(checkpoint.State.History);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("empty")]
    [InlineData("padded")]
    public void ADamagedCheckpointGivesADataFormatExceptionNamingTheFile(string damage)
    {
        string path = TrainedCheckpoint();
        byte[] bytes = File.ReadAllBytes(path);
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length * 2 / 3)],
            "flipped" => bytes.Select((b, i) => i == bytes.Length / 2 ? (byte)(b ^ 0x10) : b).ToArray(),
            "empty" => Array.Empty<byte>(),
            _ => bytes.Concat(new byte[] { 0 }).ToArray(),
        };
        File.WriteAllBytes(path, damaged);
        var e = Assert.Throws<DataFormatException>(() => CheckpointFile.LoadModel(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path, e.Message);
        var (train, _) = TrainingScenario.Data();
        Assert.Throws<DataFormatException>(() => Trainer.Resume(root, train));
    }

    [Fact]
    public void AMissingCheckpointSaysSo()
    {
        var e = Assert.Throws<UNetSharpException>(() => CheckpointFile.Read(Path.Combine(root, "nothing.ckpt")));
        Assert.Contains("no such checkpoint", e.Message);
    }
}
