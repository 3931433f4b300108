using UNetSharp.Cli;
using UNetSharp.Prediction;
using UNetSharp.Tests.Pipeline;
using UNetSharp.Training;

namespace UNetSharp.Tests.Integrity;

/// <summary>Counts from flags and budgets are checked in 64 bits against documented maxima before anything is written (issue 20, item 3).</summary>
public sealed class CountLimitTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-counts-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("iterations 9223372036854775807 is more than the 1,000,000,000 steps", "--iterations", "9223372036854775807")]
    [InlineData("epochs 2000000000 is more than the 1,000,000,000 steps", "--epochs", "2000000000", "--batches-per-epoch", "2000000000")]
    [InlineData("epochs 100000 x batches_per_epoch 100000 = 10,000,000,000 steps", "--epochs", "100000", "--batches-per-epoch", "100000")]
    [InlineData("time budget 3600000000 s is more than", "--time-budget", "1000000h")]
    public void AbsurdRunLengthsAreRefusedNamingTheSettingAndNothingIsWritten(string expected, params string[] flags)
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 3, size: 32);
        string run = Path.Combine(root, "run");

        int code = CliApp.Run(["train", "--data", data, "--out", run, "--widths", "4,8,16", "--depth", "2", .. flags], stdout, stderr);

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith("error: ", stderr.ToString());
        Assert.Contains(expected, stderr.ToString());
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void TheStepLimitIsWhatTheDocumentationSays()
    {
        Assert.Equal(1_000_000_000L, TrainingConfig.MaxSteps);
        Assert.Equal(100_000, PredictionShard.MaxCount);
        // the largest allowed run's epochs still fit 32 bits, and its step counter 64
        Assert.Equal(1_000_000_000, new TrainingConfig { MaxIterations = TrainingConfig.MaxSteps }.TotalEpochs(1));
    }

    [Theory]
    [InlineData("0/2000000000")]
    [InlineData("0/100001")]
    public void AShardCountAboveTheMaximumIsRefusedBeforeAnyPlanning(string shard)
    {
        var e = Assert.Throws<ConfigurationException>(() => PredictionShard.Parse(shard));
        Assert.Contains("at most 100,000", e.Message);
        Assert.Throws<ConfigurationException>(() => new PredictionShard(0, 100_001));
        Assert.Throws<ConfigurationException>(() => PredictionShard.FromEnvironment(n => n switch
        {
            PredictionShard.KubernetesIndex => "0", PredictionShard.CountVariable => "2000000000", _ => null,
        }));
        Assert.Equal(100_000, PredictionShard.Parse("99999/100000").Count);
    }
}
