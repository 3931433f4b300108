using System.Diagnostics;
using TorchSharp;
using UNetSharp.Evaluation;
using UNetSharp.Models;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>
/// Seconds of one training step as the trainer runs it (forward in train mode with every head, the configured loss,
/// backward, Adam step) on random data: the rate at which training consumes batches.
/// </summary>
public static class TrainingStepTimer
{
    /// <summary>Median of <paramref name="repeats"/> timed steps after <paramref name="warmup"/> untimed ones.</summary>
    public static double Seconds(NetworkConfig config, int batch, IReadOnlyList<long> patch, int repeats = 3, int warmup = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (batch < 1 || repeats < 1 || warmup < 0) throw new ArgumentOutOfRangeException(nameof(batch), "batch and repeats must be positive");
        config.Validate();
        config.ValidateInputSize(patch);
        using var net = new SegmentationNetwork(config);
        net.train();
        using var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var loss = new SegmentationLoss(new LossOptions(), config.Classes);
        using var x = randn([batch, config.InChannels, .. patch]);
        using var y = randint(0, Math.Max(2, config.Classes), [batch, .. patch], dtype: ScalarType.Int64);

        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            loss.Compute(net.forward(x), y).Total.backward();
            optimizer.step();
        }

        for (int i = 0; i < warmup; i++) Step();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            Step();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
