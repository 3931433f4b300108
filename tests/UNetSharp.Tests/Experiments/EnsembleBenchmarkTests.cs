using System.Globalization;
using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.Experiments;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Experiments;

/// <summary>The fold-ensemble benchmark's pieces: the held-out draw, the per-arm summary and the paired comparison, by hand.</summary>
public sealed class EnsembleBenchmarkTests
{
    [Fact]
    public void TheHeldOutDrawIsSeededSortedAndIndependentOfTheListingOrder()
    {
        var ids = Enumerable.Range(0, 24).Select(i => $"slice_{i:D2}").ToList();
        var a = EnsembleBenchmark.ChooseHoldout(ids, 6, seed: 1, keep: 3);
        Assert.Equal(6, a.Count);
        Assert.Equal(a.Order(StringComparer.Ordinal), a);
        Assert.Equal(a, EnsembleBenchmark.ChooseHoldout(Enumerable.Reverse(ids).ToList(), 6, seed: 1, keep: 3));
        Assert.NotEqual(a, EnsembleBenchmark.ChooseHoldout(ids, 6, seed: 2, keep: 3));
        Assert.All(a, id => Assert.Contains(id, ids));
        var e = Assert.Throws<ConfigurationException>(() => EnsembleBenchmark.ChooseHoldout(ids, 22, seed: 1, keep: 3));
        Assert.Equal("holding out 22 of 24 cases leaves 2; at least 3 must remain to train and validate", e.Message);
    }

    static List<HoldoutScore> Arm(string arm, params double[] dice) =>
        dice.Select((d, i) => new HoldoutScore(arm, $"c{i}", 1, d, double.NaN, double.NaN)).ToList();

    [Fact]
    public void ThePairedComparisonMatchesAHandComputation()
    {
        // ensemble − single per case: +0.02 +0.01 −0.005 +0.03 +0.015 +0.04 (sum 0.11)
        var single = Arm("single", 0.90, 0.88, 0.925, 0.86, 0.905, 0.85);
        var ensemble = Arm("ensemble", 0.92, 0.89, 0.920, 0.89, 0.920, 0.89);
        var c = Assert.Single(EnsembleBenchmark.Compare(single, ensemble));

        Assert.Equal((1, 6, 5, 0, 1), (c.Class, c.Pairs, c.EnsembleAhead, c.Ties, c.SingleAhead));
        Assert.Equal(0.11 / 6, c.MeanDifference, 12);
        double[] d = [0.02, 0.01, -0.005, 0.03, 0.015, 0.04];
        Assert.Equal(Math.Sqrt(d.Sum(x => (x - 0.11 / 6) * (x - 0.11 / 6)) / 5), c.SdDifference, 12);
        // |d| ranks 0.005→1 0.01→2 0.015→3 0.02→4 0.03→5 0.04→6: W− = 1, W+ = 20; P(W ≤ 1) = 2 of 64 sign patterns, two-sided 4/64
        Assert.Equal((1.0, 20.0, 1.0), (c.Wilcoxon.RankSumNegative, c.Wilcoxon.RankSumPositive, c.Wilcoxon.Statistic));
        Assert.True(c.Wilcoxon.Exact);
        Assert.Equal(4.0 / 64, c.Wilcoxon.PValue, 15);

        // mean ± sd per arm: single (0.90 + 0.88 + 0.925 + 0.86 + 0.905 + 0.85) / 6 = 0.88667
        var s = Assert.Single(EnsembleBenchmark.Summarize(single));
        Assert.Equal((1, 6), (s.Class, s.Cases));
        Assert.Equal(5.32 / 6, s.Mean, 12);
        double[] v = [0.90, 0.88, 0.925, 0.86, 0.905, 0.85];
        Assert.Equal(Math.Sqrt(v.Sum(x => (x - 5.32 / 6) * (x - 5.32 / 6)) / 5), s.Sd, 12);
    }

    [Fact]
    public void SeveralClassesAreComparedPerClassAndPooledAndUndefinedPairsAreLeftOut()
    {
        var single = new List<HoldoutScore>
        {
            new("single", "a", 1, 0.5, 0, 0), new("single", "a", 2, 0.6, 0, 0), new("single", "b", 1, 0.7, 0, 0), new("single", "b", 2, double.NaN, 0, 0),
        };
        var ensemble = new List<HoldoutScore>
        {
            new("ensemble", "a", 1, 0.6, 0, 0), new("ensemble", "a", 2, 0.6, 0, 0), new("ensemble", "b", 1, 0.65, 0, 0), new("ensemble", "b", 2, 0.9, 0, 0),
        };
        var c = EnsembleBenchmark.Compare(single, ensemble);
        Assert.Equal(new int?[] { 1, 2, null }, c.Select(x => x.Class));
        Assert.Equal((2, 1, 0, 1), (c[0].Pairs, c[0].EnsembleAhead, c[0].Ties, c[0].SingleAhead));
        Assert.Equal(0.025, c[0].MeanDifference, 12);                  // (+0.1 − 0.05) / 2
        Assert.Equal((1, 0, 1, 0), (c[1].Pairs, c[1].EnsembleAhead, c[1].Ties, c[1].SingleAhead)); // case b class 2: undefined for single
        Assert.Equal((3, 1, 1, 1), (c[2].Pairs, c[2].EnsembleAhead, c[2].Ties, c[2].SingleAhead));
        Assert.Throws<ArgumentException>(() => EnsembleBenchmark.Compare(single.Take(3).ToList(), ensemble));
    }

    [Fact]
    public void TheBudgetMustSplitEvenlyOverTheFoldsAndTheBenchmarkOwnsTheSplitSettings()
    {
        var settings = RunSettings.Default with { Data = Path.GetTempPath() };
        var ok = new EnsembleBenchmarkSpec { OutputDirectory = "o", Settings = settings, Iterations = 240, Folds = 3 };
        ok.Validate();
        Assert.Contains("multiple of folds 3", Assert.Throws<ConfigurationException>(() => (ok with { Iterations = 241 }).Validate()).Message);
        Assert.Equal("'iterations' is set by the ensemble benchmark (its folds, budget and held-out cases); remove it from the train settings",
            Assert.Throws<ConfigurationException>(() => (ok with { Settings = settings with { Optimisation = settings.Optimisation with { Iterations = 10 } } }).Validate()).Message);
        Assert.Contains("'folds'", Assert.Throws<ConfigurationException>(() => (ok with { Settings = settings with { Validation = settings.Validation with { Folds = 5 } } }).Validate()).Message);
    }
}

/// <summary>`bench ensemble` end to end on tiny synthetic cells (trains 4 + 2 × 2 steps, a few seconds): both arms trained, the
/// held-out cases kept out of both, results written, a second prediction setting reusing the trained arms.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class EnsembleBenchmarkRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-ensbench-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void BothArmsTrainWithoutTheHeldOutCasesAndAreScoredOnThem()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 8);
        string config = Path.Combine(dir, "tiny.yaml");
        File.WriteAllText(config, "depth: 2\nwidths: [4, 8, 16]\npatch: 32x32\nbatch: 2\nbatches_per_epoch: 2\nlr: 0.003\nseed: 9\noverlays: 0\nsurface_distances: false\n");
        string output = Path.Combine(dir, "bench");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["bench", "ensemble", "--data", data, "--out", output, "--config", config, "--iterations", "4", "--folds", "2", "--holdout", "2", "--threads", "1", "--quiet"];
        Assert.Equal(0, CliApp.Run(args, stdout, stderr));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results_L2.json")));
        var root = json.RootElement;
        var held = root.GetProperty("held_out_cases").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, held.Count);
        Assert.Equal(6, root.GetProperty("training_cases").GetInt32());
        // neither arm ever splits, trains or validates on a held-out case; the single arm validates on one case
        var single = RunSplit.Load(Path.Combine(output, "single"));
        Assert.Equal((5, 1), (single.Train.Count, single.Val.Count));
        Assert.Empty(single.Train.Concat(single.Val).Intersect(held));
        var folds = RunSplit.LoadFolds(Path.Combine(output, "ensemble"));
        Assert.Equal(2, folds.Count);
        Assert.All(folds, f => Assert.Empty(f.Train.Concat(f.Val).Intersect(held)));
        Assert.Equal(held, RunSettingsFile.Load(Path.Combine(output, "single")).Dataset.ExcludeCases);
        // the same total budget: 4 steps for the single model, 2 per fold
        Assert.Equal(4, RunSettingsFile.Load(Path.Combine(output, "single")).Optimisation.Iterations);
        Assert.Equal(2, RunSettingsFile.Load(CrossValidation.FoldFolder(Path.Combine(output, "ensemble"), 1)).Optimisation.Iterations);
        Assert.Equal((4, 4), (root.GetProperty("single").GetProperty("total_steps").GetInt64(), root.GetProperty("ensemble").GetProperty("total_steps").GetInt64()));
        Assert.Equal(2, root.GetProperty("depth").GetInt32());

        // results.csv: one row per arm × held-out case; results.json's means are the means of those rows
        var rows = File.ReadAllLines(Path.Combine(output, "results_L2.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(4, rows.Count);
        foreach (string arm in new[] { "single", "ensemble" })
        {
            var dice = rows.Where(r => r[0] == arm).Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(held, rows.Where(r => r[0] == arm).Select(r => r[1]));
            Assert.Equal(dice.Average(), root.GetProperty(arm).GetProperty("dice")[0].GetProperty("mean").GetDouble(), 5);
        }
        Assert.Equal(2, root.GetProperty("comparison")[0].GetProperty("pairs").GetInt32());

        // the same arms predicted again at depth 1 with TTA: nothing retrained, the first results kept
        long singleCheckpoint = File.GetLastWriteTimeUtc(Path.Combine(output, "single", "best.ckpt")).Ticks;
        Assert.Equal(0, CliApp.Run([.. args, "--depth", "1", "--tta"], stdout, stderr));
        Assert.True(File.Exists(Path.Combine(output, "results_L1_tta.json")));
        Assert.True(File.Exists(Path.Combine(output, "summary_L2.md")));
        Assert.Equal(singleCheckpoint, File.GetLastWriteTimeUtc(Path.Combine(output, "single", "best.ckpt")).Ticks);

        // a second call with other training settings into the same folder is refused, naming what differs
        args[Array.IndexOf(args, "--folds") + 1] = "4";
        Assert.Equal(CliApp.BadInput, CliApp.Run(args, stdout, stderr));
        Assert.Contains("'folds' differs", stderr.ToString());
    }
}
