using UNetSharp.Data;
using UNetSharp.Data.Sampling;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using UNetSharp.Training;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>Head init 'prior': the class frequencies of the training cases, the bias that predicts them, and that nothing else changes.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class HeadInitialisationTests
{
    static SegmentationCase Case(string id, int[] label) => new(id, new float[label.Length], 1, [2, label.Length / 2], label, [1.0, 1.0]);

    [Fact]
    public void PriorsAreTheVoxelFractionsOfEachClassOverAllCases()
    {
        // 10 voxels: 6 background, 3 class 1, 1 class 2; and 6 voxels: 3, 0, 3 → totals 9 / 3 / 4 of 16
        var cases = new InMemoryCaseSource([Case("a", [0, 0, 0, 0, 0, 0, 1, 1, 1, 2]), Case("b", [0, 0, 0, 2, 2, 2])]);
        var priors = HeadInitialisation.ClassPriors(cases, 3);
        Assert.Equal([9 / 16.0, 3 / 16.0, 4 / 16.0], priors);
        // a class index outside the plan's classes is refused, not dropped
        var bad = new InMemoryCaseSource([Case("c", [0, 3])]);
        var e = Assert.Throws<ConfigurationException>(() => HeadInitialisation.ClassPriors(bad, 3));
        Assert.Contains("case c", e.Message);
    }

    [Fact]
    public void TheBiasPredictsThePriorsThroughSoftmaxAndSigmoid()
    {
        double[] priors = [0.9, 0.06, 0.04];
        var bias = HeadInitialisation.Bias(priors, 3);
        double[] exp = bias.Select(b => Math.Exp(b)).ToArray();
        for (int c = 0; c < 3; c++) Assert.Equal(priors[c], exp[c] / exp.Sum(), 6);
        Assert.Equal(0, bias.Sum(), 5); // centred

        var binary = HeadInitialisation.Bias([0.97, 0.03], 1);
        Assert.Single(binary);
        Assert.Equal(0.03, 1 / (1 + Math.Exp(-binary[0])), 6);
        Assert.Equal(Math.Log(0.03 / 0.97), binary[0], 5);

        // an absent class is clamped to the minimum prior, so its bias stays finite
        var absent = HeadInitialisation.Bias([1.0, 0.0], 1);
        Assert.Equal(Math.Log(HeadInitialisation.MinPrior / (1 - HeadInitialisation.MinPrior)), absent[0], 4);
    }

    [Fact]
    public void ApplySetsEveryHeadBiasAndLeavesEveryOtherWeightAsSeeded()
    {
        var config = TinyNets.Config(depth: 2, classes: 3, cgm: true);
        SegmentationNetwork Build()
        {
            using var saved = random.get_rng_state(); // the global generator is left as it was
            manual_seed(5);
            var net = new SegmentationNetwork(config);
            random.set_rng_state(saved);
            return net;
        }
        using var plain = Build();
        using var primed = Build();
        double[] priors = [0.95, 0.03, 0.02];
        HeadInitialisation.Apply(primed, priors);

        var expected = HeadInitialisation.Bias(priors, 3);
        Assert.Equal(primed.Topology.Heads.Count, primed.HeadModules.Count); // with deep supervision every head of the topology is built
        Assert.True(primed.HeadModules.Count > 2);
        foreach (var head in primed.HeadModules.Values) Assert.Equal(expected, head.Bias);

        var a = plain.state_dict();
        var b = primed.state_dict();
        var changed = a.Keys.Where(k => !a[k].eq(b[k]).all().item<bool>()).OrderBy(k => k).ToList();
        Assert.Equal(primed.HeadModules.Values.Select(h => h.GetName() + ".conv.bias").OrderBy(k => k), changed);
    }

    [Fact]
    public void TheTrainerRefusesPriorInitWithoutPriorsAndStartsFromThemWhenGiven()
    {
        string root = Directory.CreateTempSubdirectory("unetsharp-headinit-").FullName;
        try
        {
            var (train, validation) = TrainingScenario.Data();
            var config = TrainingScenario.Config with { HeadInit = HeadInitKind.Prior, Epochs = 1 };
            var e = Assert.Throws<ConfigurationException>(() => Trainer.Start(TrainingScenario.Network, config, train, Path.Combine(root, "a")));
            Assert.Contains("prior", e.Message);
            Assert.False(Directory.Exists(Path.Combine(root, "a")));

            using var trainer = Trainer.Start(TrainingScenario.Network, config, train, Path.Combine(root, "b"), HardDiceValidation.Create(validation), [0.8, 0.2]);
            float expected = HeadInitialisation.Bias([0.8, 0.2], 1)[0];
            Assert.All(trainer.Model.HeadModules.Values, h => Assert.Equal(expected, h.Bias[0]));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
