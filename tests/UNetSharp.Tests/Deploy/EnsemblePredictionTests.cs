using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Deploy;

/// <summary>Ensembles: probabilities averaged after TTA and gating; identical models give the single model's outputs,
/// different architectures and depths give the mean of their own predictions, disagreeing models are refused.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class EnsemblePredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-ensemble-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    string Volume()
    {
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WriteOblique(Path.Combine(inDir, "case_0000.nii.gz"), 12, 14, 8);
        return inDir;
    }

    float[] Probabilities(string outDir, int k) => (float[])NiftiFile.Read(Path.Combine(outDir, $"case_prob{k}.nii.gz")).Voxels;

    [Fact]
    public void AnEnsembleOfIdenticalModelsEqualsTheSingleModelGivenAsListOrAsAFolderOfFolds()
    {
        var config = TinyNets.Config(dims: 3, depth: 2, classes: 3, cgm: true);
        string run = PredictionTestFiles.RunFolder(Dir("cv/fold_0"), config, [8, 8, 8], adjust: DeployNets.Sharpen);
        CopyFolder(run, Dir("cv/fold_1"));
        CopyFolder(run, Dir("cv/fold_2"));
        string input = Volume();
        PredictionJobReport Predict(string outDir, params string[] models) => PredictionJob.Run(new PredictionJobOptions
        {
            Model = models[0], Models = models, Input = input, OutputDir = Dir(outDir), Tta = true, Probabilities = true,
        });

        var single = Predict("single", run);
        var listed = Predict("listed", run, Dir("cv/fold_1"));
        var folds = Predict("folds", Dir("cv"));

        Assert.Equal(2, listed.Models.Count);
        Assert.Equal(3, folds.Models.Count);
        Assert.Equal(["fold_0", "fold_1", "fold_2"], folds.Models.Select(m => Path.GetFileName(Path.GetDirectoryName(m.Model))));
        var labels = File.ReadAllBytes(Path.Combine(Dir("single"), "case.nii.gz"));
        Assert.Equal(labels, File.ReadAllBytes(Path.Combine(Dir("listed"), "case.nii.gz")));
        Assert.Equal(labels, File.ReadAllBytes(Path.Combine(Dir("folds"), "case.nii.gz")));
        Assert.InRange(single.Files[0].ForegroundVoxels, 1, 12 * 14 * 8 - 1);
        foreach (int k in new[] { 1, 2 })
        {
            var expected = Probabilities(Dir("single"), k);
            Assert.Equal(expected, Probabilities(Dir("listed"), k));   // (p + p) / 2 == p exactly
            Assert.True(expected.Zip(Probabilities(Dir("folds"), k), (a, b) => Math.Abs(a - b)).Max() <= 1e-6);
        }
    }

    [Fact]
    public void ModelsOfDifferentArchitectureAndDepthAverageTheirGatedProbabilities()
    {
        string a = PredictionTestFiles.RunFolder(Dir("a"), TinyNets.Config(dims: 3, depth: 2, classes: 3, cgm: true), [8, 8, 8], adjust: DeployNets.Sharpen);
        string b = PredictionTestFiles.RunFolder(Dir("b"), TinyNets.Config(arch: "unet++", dims: 3, depth: 2, classes: 3), [8, 8, 8], seed: 8, adjust: DeployNets.Sharpen);
        (ExperimentPlanWithDepth(a, 1)).Save(a);   // a predicts pruned to depth 1, b at its full depth 2
        string input = Volume();
        PredictionJobReport Predict(string outDir, params string[] models) => PredictionJob.Run(new PredictionJobOptions
        {
            Model = models[0], Models = models, Input = input, OutputDir = Dir(outDir), Tta = true, Probabilities = true, Gating = UNetSharp.Inference.GatingMode.Soft,
        });
        Predict("only-a", a);
        Predict("only-b", b);
        var both = Predict("both", a, b);

        Assert.Equal([1, 2], both.Models.Select(m => m.Depth));
        for (int k = 1; k <= 2; k++)
        {
            var pa = Probabilities(Dir("only-a"), k);
            var pb = Probabilities(Dir("only-b"), k);
            var mean = Probabilities(Dir("both"), k);
            Assert.True(pa.Zip(pb, (x, y) => Math.Abs(x - y)).Max() > 0.05, "the two models must differ for the test to mean something");
            double worst = Enumerable.Range(0, mean.Length).Max(v => Math.Abs(mean[v] - (pa[v] + pb[v]) / 2));
            Assert.True(worst <= 1e-6, $"class {k}: ensemble differs from the mean of the models by {worst}");
        }
    }

    static UNetSharp.Planning.ExperimentPlan ExperimentPlanWithDepth(string run, int depth) => UNetSharp.Planning.ExperimentPlan.Load(run) with { PredictionDepth = depth };

    [Fact]
    public void ModelsThatDisagreeOnClassesOrPreprocessingAreRefusedNamingBoth()
    {
        string a = PredictionTestFiles.RunFolder(Dir("a"), TinyNets.Config(dims: 3, depth: 2, classes: 3), [8, 8, 8]);
        string b = PredictionTestFiles.RunFolder(Dir("b"), TinyNets.Config(dims: 3, depth: 2, classes: 3), [8, 8, 8], classValues: [0, 2, 5]);
        string c = PredictionTestFiles.RunFolder(Dir("c"), TinyNets.Config(dims: 3, depth: 2, classes: 3), [8, 8, 8],
            normalization: new UNetSharp.Planning.ChannelNormalization(UNetSharp.Planning.NormalizationKind.UnitRange));
        string input = Volume();
        string Refusal(string other) => Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions
        {
            Model = a, Models = [a, other], Input = input, OutputDir = Dir("out"),
        }).Dispose()).Message;

        string classes = Refusal(b);
        Assert.Contains("class values is [0,1,2] in", classes);
        Assert.Contains(a, classes);
        Assert.Contains(b, classes);
        Assert.Contains("normalisation is", Refusal(c));
        Assert.Contains("given twice", Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions
        {
            Model = a, Models = [a, a + "/"], Input = input, OutputDir = Dir("out"),
        })).Message);
        Assert.False(Directory.Exists(Dir("out")));
    }
}
