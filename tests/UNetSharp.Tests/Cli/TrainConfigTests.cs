using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Training;
using UNetSharp.Training.Losses;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Cli;

public sealed class TrainConfigTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("c.yaml", "data: {0}\nout: runs/a\narch: unet++\nepochs: 7\nlr: 0.01\nwidths: [8, 16, 32]\ndepth: 2\naugment: none\n")]
    [InlineData("c.json", "{{\"data\": \"{0}\", \"out\": \"runs/a\", \"arch\": \"unet++\", \"epochs\": 7, \"lr\": 0.01, \"widths\": [8, 16, 32], \"depth\": 2, \"augment\": \"none\"}}")]
    public void ConfigFileValuesApplyAndFlagsOverrideThem(string name, string template)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Format(template, dir));
        var fromFile = TrainCommand.Resolve(new TrainCommand.Settings { Config = path });
        Assert.Equal("unet++", fromFile.Plan.Architecture);
        Assert.Equal(7, fromFile.Training.Epochs);
        Assert.Equal(0.01, fromFile.Training.LearningRate);
        Assert.Equal(new[] { 8, 16, 32 }, fromFile.Plan.Widths);
        Assert.Equal(AugmentationPreset.None, fromFile.Settings.Augmentation.Preset);
        Assert.Equal(OptimizerKind.Adam, fromFile.Training.Optimizer); // default where neither says

        var overridden = TrainCommand.Resolve(new TrainCommand.Settings { Config = path, Epochs = 3, Arch = "unet#", Optimizer = "sgd" });
        Assert.Equal(3, overridden.Training.Epochs);
        Assert.Equal("unet#", overridden.Plan.Architecture);
        Assert.Equal(OptimizerKind.Sgd, overridden.Training.Optimizer);
        Assert.Equal(0.01, overridden.Training.LearningRate);
    }

    [Fact]
    public void Dims2OnVolumesIsASettingOfTheRunAndDims3OnImagesIsRefused()
    {
        string volumes = Path.Combine(dir, "volumes"), images = Path.Combine(dir, "images");
        foreach (var sub in new[] { "imagesTr", "labelsTr" }) Directory.CreateDirectory(Path.Combine(volumes, sub));
        UNetSharp.IO.NiftiFile.Write(Path.Combine(volumes, "imagesTr", "v.nii.gz"), new UNetSharp.IO.NiftiImage(
            UNetSharp.Tests.Inference.Jobs.PredictionTestFiles.ObliqueHeader(8, 8, 4), new byte[4], new short[8 * 8 * 4]));
        UNetSharp.IO.NiftiFile.Write(Path.Combine(volumes, "labelsTr", "v.nii.gz"),
            UNetSharp.IO.NiftiImage.FromLabels(new int[8 * 8 * 4], UNetSharp.Tests.Inference.Jobs.PredictionTestFiles.ObliqueHeader(8, 8, 4)));
        var options = TrainCommand.Resolve(new TrainCommand.Settings { Data = volumes, Out = "x", Dims = 2 });
        Assert.Equal(2, options.Plan.Dimensions);
        Assert.Equal(2, options.Settings.Plan.Dimensions);

        UNetSharp.Tests.Pipeline.RunTestData.Cells(images, images: 2);
        var e = Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Data = images, Out = "x", Dims = 3 }));
        Assert.StartsWith("--dims 3 does not match the data set", e.Message);
    }

    [Fact]
    public void UnknownKeysAndBadValuesNameTheFile()
    {
        string path = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(path, "epochz: 3\n");
        Assert.StartsWith($"{path}: unknown option 'epochz'", Assert.Throws<DataFormatException>(() => SettingValues.Load(path)).Message);
        File.WriteAllText(path, $"data: {dir}\nout: x\nepochs: many\n");
        Assert.Equal($"{path}: 'epochs' has an invalid value 'many'", Assert.Throws<DataFormatException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Config = path })).Message);
        Assert.Contains("--optimizer must be adam, sgd or adamw", Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Data = dir, Out = "x", Optimizer = "lbfgs" })).Message);
        Assert.Contains("data folder not found", Assert.Throws<DataFormatException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Data = dir + "/nope", Out = "x" })).Message);
    }

    [Fact]
    public void KeysMayBeWrittenLikeFlagsOrSnakeCaseAndUnknownOnesSuggestTheNearest()
    {
        string path = Path.Combine(dir, "c.yaml");
        File.WriteAllText(path, $"data: {dir}\nout: x\nbatches-per-epoch: 7\nweight_decay: 0.5\nds-weights: halving\nloss: ce_dice\n");
        var options = TrainCommand.Resolve(new TrainCommand.Settings { Config = path });
        Assert.Equal(7, options.Settings.Optimisation.BatchesPerEpoch);
        Assert.Equal(0.5, options.Training.WeightDecay);
        Assert.Equal(DeepSupervisionWeighting.Halving, options.Training.Loss.Weighting);
        Assert.Equal(LossKind.CeDice, options.Training.Loss.Kind);

        File.WriteAllText(path, "batches_per_epok: 3\n");
        Assert.Equal($"{path}: unknown option 'batches_per_epok'; did you mean 'batches_per_epoch'?", Assert.Throws<DataFormatException>(() => SettingValues.Load(path)).Message);
        File.WriteAllText(path, "epochs: 3\nbatches-per-epoch: 4\nbatches_per_epoch: 5\n");
        Assert.Equal($"{path}: 'batches_per_epoch' is set twice", Assert.Throws<DataFormatException>(() => SettingValues.Load(path)).Message);
    }
}
