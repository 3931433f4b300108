using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>`train --dims 2` on volumes: a 2D network trained on slices, planned, validated and predicted on whole volumes.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class SliceTrainingRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-slicerun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Four thick-slice volumes (40 x 40 x 10 voxels of 0.8 x 0.8 x 4 mm), a bright ball labelled 1.</summary>
    string Volumes()
    {
        string data = Path.Combine(dir, "data");
        Directory.CreateDirectory(Path.Combine(data, "imagesTr"));
        Directory.CreateDirectory(Path.Combine(data, "labelsTr"));
        for (int i = 0; i < 4; i++)
        {
            var header = PredictionTestFiles.ObliqueHeader(40, 40, 10);
            header.PixDim[1] = 0.8; header.PixDim[2] = 0.8; header.PixDim[3] = 4;
            var image = PredictionTestFiles.Ball(40, 40, 10, seed: i);
            NiftiFile.Write(Path.Combine(data, "imagesTr", $"vol{i}.nii.gz"), new NiftiImage(header, new byte[4], image));
            NiftiFile.Write(Path.Combine(data, "labelsTr", $"vol{i}.nii.gz"), NiftiImage.FromLabels(image.Select(v => v > 250 ? 1 : 0).ToArray(), header));
        }
        return data;
    }

    [Fact]
    public void Dims2OnVolumesTrainsOnSlicesAndPredictsVolumesOnTheirOwnGrid()
    {
        string data = Volumes(), run = Path.Combine(dir, "run");
        var options = RunTestData.Tiny(data, run, epochs: 1).With(s => s with { Validation = s.Validation with { Fraction = 0.25 }, Plan = s.Plan with { Dimensions = 2 } });
        var result = TrainingRun.Run(options);

        var plan = ExperimentPlan.Load(run);
        Assert.Equal(2, plan.Network.Dimensions);
        Assert.Equal(0, plan.SliceAxis);
        Assert.Equal(new[] { 32, 32 }, plan.PatchSize);
        Assert.Equal(2, RunSettingsFile.Load(run).Plan.Dimensions);
        Assert.Equal(1, result.ValidationCases);
        Assert.All(result.DiceByDepth.Values, d => Assert.InRange(d, 0, 1));

        string input = Path.Combine(data, "imagesTr", "vol3.nii.gz");
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Path.Combine(dir, "pred") });
        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        Assert.True(file.SliceBySlice);
        var output = NiftiFile.ReadHeader(Path.Combine(dir, "pred", "vol3.nii.gz"));
        Assert.Equal(NiftiFile.ReadHeader(input).SpatialShape, output.SpatialShape);
    }
}
