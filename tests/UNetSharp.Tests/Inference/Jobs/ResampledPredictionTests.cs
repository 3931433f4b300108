using UNetSharp.Data;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Planning;

namespace UNetSharp.Tests.Inference.Jobs;

/// <summary>Plans with a target spacing: volumes resampled for the network, predictions back on the input's own grid and geometry.</summary>
public sealed class ResampledPredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-resampled-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    /// <summary>Labels 0..3 in nested boxes plus a 2x2x2 cube of label 4, [z, y, x] C-order.</summary>
    static int[] LabelMap(int z, int y, int x)
    {
        var labels = new int[z * y * x];
        for (int k = 0; k < z; k++)
            for (int j = 0; j < y; j++)
                for (int i = 0; i < x; i++)
                {
                    int label = 0;
                    if (k >= 1 && k < z - 1 && j >= 3 && j < y - 3 && i >= 3 && i < x - 3) label = 1;
                    if (k >= 2 && k < z - 2 && j >= 6 && j < y - 6 && i >= 6 && i < x - 6) label = 2;
                    if (j < 4 && i < 5) label = 3;
                    if (k >= z - 2 && j >= y - 2 && i >= x - 2) label = 4;
                    labels[(k * y + j) * x + i] = label;
                }
        return labels;
    }

    [Fact]
    public void ALabelMapRoundTripKeepsEveryLabelAndTheShape()
    {
        // 3 x 0.9 x 0.7 mm → 1.5 x 0.9 x 0.9 mm: z up-sampled (10 → 20), x down-sampled (22 → 17), and back.
        int[] shape = [10, 20, 22];
        var labels = LabelMap(10, 20, 22);
        var c = new SegmentationCase("aniso", new float[labels.Length], 1, shape, labels, [3.0, 0.9, 0.7]);
        var planned = Resampler.ToSpacing(c, [1.5, 0.9, 0.9]);
        Assert.Equal(new[] { 20, 20, 17 }, planned.Shape);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, planned.Label!.Distinct().Order());

        var back = Resampler.NearestLabels(planned.Label!.Select(v => (byte)v).ToArray(), planned.Shape, shape);
        Assert.Equal(labels.Length, back.Length);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, back.Distinct().Order());
        double agreement = back.Where((v, i) => v == labels[i]).Count() / (double)labels.Length;
        Assert.True(agreement > 0.95, $"only {agreement:P1} of the voxels kept their label");
    }

    [Fact]
    public void LinearResamplingOfAConstantImageKeepsItAndOfARampStaysInRange()
    {
        var ramp = Enumerable.Range(0, 6 * 8 * 8).Select(i => (float)(i / 64)).ToArray();   // value = z index
        var up = Resampler.Linear(ramp, 1, [6, 8, 8], [12, 8, 8]);
        Assert.Equal(12 * 8 * 8, up.Length);
        Assert.Equal(0f, up.Min());
        Assert.Equal(5f, up.Max());
        // align_corners = false: output slice 2 (centre 2.5 of 12) maps to input z = 2.5 / 2 − 0.5 = 0.75.
        Assert.Equal(0.75f, up[2 * 64], 5);
    }

    [Fact]
    public void APredictionAtTheTargetSpacingComesBackOnTheInputsExactGridAndGeometry()
    {
        // The oblique volume is 18 x 20 x 12 voxels of 0.7 x 0.9 x 3.0 mm; the plan predicts at 1.5 x 0.9 x 0.9 mm ([z, y, x] order)
        // with strides 1x2x2 then 2x2x2 (multiples 2x4x4).
        var config = PredictionTestFiles.Tiny(dims: 3, classes: 3) with { Strides = new[] { new[] { 1, 2, 2 }, new[] { 2, 2, 2 } } };
        string run = PredictionTestFiles.RunFolder(Dir("run"), config, [8, 16, 16], classValues: [0, 2, 5]);
        var plan = ExperimentPlan.Load(run) with { TargetSpacing = [1.5, 0.9, 0.9] };
        plan.Save(run);
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "case_01.nii.gz"));
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Probabilities = true });

        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        Assert.Equal(new[] { 12, 20, 18 }, file.Shape);
        var source = NiftiFile.ReadHeader(input);
        var output = NiftiFile.Read(Path.Combine(Dir("out"), "case_01.nii.gz"));
        Assert.Equal(source.SpatialShape, output.Header.SpatialShape);
        Assert.Equal(source.PixDim, output.Header.PixDim);
        Assert.Equal(NiftiGeometry.BestAffine(source), NiftiGeometry.BestAffine(output.Header));
        Assert.Equal(NiftiGeometry.QformAffine(source), NiftiGeometry.QformAffine(output.Header));
        Assert.All(((byte[])output.Voxels).Distinct(), v => Assert.Contains((int)v, new[] { 0, 2, 5 }));
        var probability = NiftiFile.Read(Path.Combine(Dir("out"), "case_01_prob1.nii.gz"));
        Assert.Equal(source.SpatialShape, probability.Header.SpatialShape);
        Assert.All((float[])probability.Voxels, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void AnInputWithZeroSpacingFailsWithItsNameWhenThePlanResamples()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3), [8, 16, 16]);
        (ExperimentPlan.Load(run) with { TargetSpacing = [1.5, 0.9, 0.9] }).Save(run);
        var header = PredictionTestFiles.ObliqueHeader(18, 20, 12);
        header.PixDim[3] = 0;
        string input = Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "flat_slices.nii.gz");
        NiftiFile.Write(input, new NiftiImage(header, new byte[4], PredictionTestFiles.Ball(18, 20, 12)));
        var failed = Assert.Throws<PredictionBatchFailedException>(() => PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out") }));
        var file = Assert.Single(failed.Files);
        Assert.False(file.Succeeded);
        Assert.Contains("flat_slices.nii.gz", file.Error);
        Assert.Contains("spacing", file.Error);
        Assert.False(Directory.Exists(Dir("out")));   // the only input failed: nothing written
    }

    /// <summary>The shared spleen CT crop (164 x 166 x 26 voxels of 0.8 x 0.8 x 5 mm): its label resampled to a coarser target and back.</summary>
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TheSpleenLabelRoundTripKeepsEveryLabelAndThePredictionItsGeometry()
    {
        string data = SharedData.Require("msd-spleen-crop");
        string image = Path.Combine(data, "imagesTr", "spleen2.nii.gz"), labelFile = Path.Combine(data, "labelsTr", "spleen2.nii.gz");
        var (labels, shape, spacing) = ImageFile.ReadLabels(labelFile);
        Assert.Equal(new[] { 26, 166, 164 }, shape);
        var c = new SegmentationCase("spleen2", new float[labels.Length], 1, shape, labels, spacing);
        var planned = Resampler.ToSpacing(c, [5.0, 1.6, 1.6]);
        Assert.Equal(26, planned.Shape[0]);   // in-plane spacing is ~0.79 mm: about half the voxels at 1.6 mm
        Assert.InRange(planned.Shape[1], 80, 84);
        Assert.InRange(planned.Shape[2], 80, 83);
        var back = Resampler.NearestLabels(planned.Label!.Select(v => (byte)v).ToArray(), planned.Shape, shape);
        Assert.Equal(labels.Distinct().Order(), back.Select(v => (int)v).Distinct().Order());
        int foreground = labels.Count(v => v > 0), kept = back.Where((v, i) => v > 0 && labels[i] > 0).Count();
        Assert.True(kept > 0.9 * foreground, $"only {kept} of {foreground} spleen voxels survive the round trip");

        var config = PredictionTestFiles.Tiny(dims: 3) with { Strides = new[] { new[] { 1, 2, 2 }, new[] { 1, 2, 2 } } };
        string run = PredictionTestFiles.RunFolder(Dir("run"), config, [16, 64, 64], normalization: new ChannelNormalization(NormalizationKind.Ct, -100, 200, 50, 80));
        (ExperimentPlan.Load(run) with { TargetSpacing = [5.0, 1.6, 1.6] }).Save(run);
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = image, OutputDir = Dir("out") });
        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        var source = NiftiFile.ReadHeader(image);
        var output = NiftiFile.Read(Path.Combine(Dir("out"), "spleen2.nii.gz"));
        Assert.Equal(source.SpatialShape, output.Header.SpatialShape);
        Assert.Equal(NiftiGeometry.BestAffine(source), NiftiGeometry.BestAffine(output.Header));
        Assert.Equal(labels.Length, ((byte[])output.Voxels).Length);
    }
}
