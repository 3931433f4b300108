using UNetSharp.Data.Layouts;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Planning;

namespace UNetSharp.Tests.Inference.Jobs;

/// <summary>The library prediction job on tiny run folders: output geometry, formats, depth, folding, failures.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class PredictionJobTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-predict-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Fact]
    public void AnObliqueAnisotropicVolumeGetsALabelMapWithItsExactGeometry()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3, classes: 3), [8, 16, 16], classValues: [0, 2, 5]);
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "case_01.nii.gz"));
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Probabilities = true, Overlays = true });

        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        Assert.Equal(new[] { 12, 20, 18 }, file.Shape);
        var source = NiftiFile.ReadHeader(input);
        var output = NiftiFile.Read(Path.Combine(Dir("out"), "case_01.nii.gz"));
        AssertSameGeometry(source, output.Header);
        Assert.Equal(NiftiDataType.UInt8, output.DataType);
        Assert.All(((byte[])output.Voxels).Distinct(), v => Assert.Contains((int)v, new[] { 0, 2, 5 }));
        foreach (int k in new[] { 1, 2 })
        {
            var probability = NiftiFile.Read(Path.Combine(Dir("out"), $"case_01_prob{k}.nii.gz"));
            AssertSameGeometry(source, probability.Header);
            Assert.Equal(NiftiDataType.Float32, probability.DataType);
            Assert.All((float[])probability.Voxels, p => Assert.InRange(p, 0f, 1f));
        }
        Assert.True(File.Exists(Path.Combine(Dir("out"), PredictionOutputs.OverlayFolder, "case_01_overlay.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), PredictionJobReport.FileName)));
        Assert.True(report.FoldedBatchNorms > 0);
    }

    [Fact]
    public void FoldedBatchNormsGiveTheSameProbabilitiesAsTheLoadedNetwork()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3), [8, 16, 16]);
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "v.nii"));
        float[] Probabilities(bool fold, string outDir)
        {
            var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = outDir, Probabilities = true, FoldBatchNorm = fold, Tta = true });
            Assert.Equal(fold, report.FoldedBatchNorms > 0);
            return (float[])NiftiFile.Read(Path.Combine(outDir, "v_prob1.nii")).Voxels;
        }
        var folded = Probabilities(true, Dir("folded"));
        var plain = Probabilities(false, Dir("plain"));
        Assert.Equal(plain.Length, folded.Length);
        Assert.True(plain.Max() - plain.Min() > 1e-3, "the network's output should vary over the image");
        for (int i = 0; i < plain.Length; i++) Assert.True(Math.Abs(plain[i] - folded[i]) < 1e-4, $"voxel {i}: {plain[i]} vs {folded[i]}");
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void TheSharedSpleenCtCaseKeepsItsGeometry()
    {
        string input = Path.Combine(SharedData.Require("msd-spleen-crop"), "imagesTr", "spleen2.nii.gz");
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3), [16, 96, 96],
            normalization: new ChannelNormalization(NormalizationKind.Ct, -100, 300, 100, 80));
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), KeepLargest = true, FillHoles = true });

        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        var output = NiftiFile.Read(Path.Combine(Dir("out"), "spleen2.nii.gz"));
        AssertSameGeometry(NiftiFile.ReadHeader(input), output.Header);
        Assert.Equal(NiftiDataType.UInt8, output.DataType);
        Assert.All(((byte[])output.Voxels).Distinct(), v => Assert.Contains(v, new byte[] { 0, 1 }));
    }

    [Fact]
    public void ABinaryPngPredictionIsAPngOfTheSameSizeInTheDataSetsZeroTo255Convention()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [32, 32],
            normalization: new ChannelNormalization(NormalizationKind.UnitRange), layout: new LayoutOptions { Gray = true });
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "cells.png"), 40, 52, rgba: true);
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Probabilities = true });

        Assert.True(report.Files[0].Succeeded, report.Files[0].Error);
        var mask = PngFile.Read(Path.Combine(Dir("out"), "cells.png"));
        Assert.Equal(new[] { 40, 52 }, mask.Shape);
        Assert.Equal(1, mask.Channels);
        Assert.All(mask.Data.Distinct(), v => Assert.Contains(v, new[] { 0f, 255f }));
        var probability = PngFile.Read(Path.Combine(Dir("out"), "cells_prob1.png"));
        Assert.Equal(16, probability.BitDepth);
        Assert.Equal(new[] { 40, 52 }, probability.Shape);
    }

    [Fact]
    public void AColourImageForAGrayNetworkFailsNamingTheFile()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [32, 32], normalization: new ChannelNormalization(NormalizationKind.UnitRange));
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "rgb.png"), 32, 32, rgba: true);
        // real colour (R = G = B would be gray in an RGBA container, read as gray): green halved
        var rgba = PngFile.Read(input);
        for (int i = 32 * 32; i < 2 * 32 * 32; i++) rgba.Data[i] = MathF.Floor(rgba.Data[i] / 2);
        PngFile.Write(input, rgba);
        // The only input fails: a bad input like a bad argument, nothing written (no output folder, no summary).
        var e = Assert.Throws<PredictionBatchFailedException>(() => PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out") }));
        Assert.StartsWith(input, e.Message);
        Assert.Contains("3 channel(s)", e.Message);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ATiffStackThroughA2DNetworkIsPredictedSliceBySliceIntoATiffStack()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16], normalization: new ChannelNormalization(NormalizationKind.UnitRange));
        var data = Enumerable.Range(0, 3 * 20 * 24).Select(i => (float)(i * 7 % 256)).ToArray();
        string input = Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "stack.tif");
        TiffFile.Write(input, new RasterImage(data, 1, [3, 20, 24], 8));
        var file = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out") }).Files[0];

        Assert.True(file.Succeeded, file.Error);
        Assert.True(file.SliceBySlice);
        var mask = TiffFile.Read(Path.Combine(Dir("out"), "stack.tif"));
        Assert.Equal(new[] { 3, 20, 24 }, mask.Shape);
    }

    [Fact]
    public void A2DNetworkPredictsAVolumeSliceBySliceWithTheVolumesGeometry()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "vol.nii.gz"), 18, 20, 5);
        var file = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Probabilities = true }).Files[0];
        Assert.True(file.Succeeded, file.Error);
        Assert.True(file.SliceBySlice);
        AssertSameGeometry(NiftiFile.ReadHeader(input), NiftiFile.ReadHeader(Path.Combine(Dir("out"), "vol.nii.gz")));
        AssertSameGeometry(NiftiFile.ReadHeader(input), NiftiFile.ReadHeader(Path.Combine(Dir("out"), "vol_prob1.nii.gz")));
    }

    [Fact]
    public void Depth1OnAPrunableRunRunsFewerNodesAndStillWritesAValidMap()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2, depth: 3), [32, 32]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 32, 32);
        int Nodes(int? depth, string outDir)
        {
            using var job = PredictionJob.Open(new PredictionJobOptions { Model = run, Input = input, OutputDir = outDir, Depth = depth });
            var result = job.PredictFile(input);
            Assert.True(result.Succeeded, result.Error);
            return job.Model.Network.LastExecutedNodeCount;
        }
        int full = Nodes(null, Dir("full")), pruned = Nodes(1, Dir("pruned"));
        Assert.Equal(3, pruned);   // X00, X10, X01
        Assert.True(pruned < full, $"depth 1 ran {pruned} nodes, full depth {full}");
        var mask = PngFile.Read(Path.Combine(Dir("pruned"), "a.png"));
        Assert.Equal(new[] { 32, 32 }, mask.Shape);
        Assert.All(mask.Data.Distinct(), v => Assert.Contains(v, new[] { 0f, 255f }));
    }

    [Fact]
    public void AnUnavailableDepthIsAClearErrorBeforeAnythingIsWritten()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2, depth: 3), [32, 32]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 32, 32);
        var e = Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Depth = 9 }));
        Assert.Contains("depth 9", e.Message);
        Assert.Contains("1, 2, 3", e.Message);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void AWeightsFileWithItsPlanBesideItPredictsAsTheCheckpoint()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 24, 24);
        PredictionJob.Run(new PredictionJobOptions { Model = Path.Combine(run, "model.safetensors"), Input = input, OutputDir = Dir("w"), Probabilities = true });
        PredictionJob.Run(new PredictionJobOptions { Model = Path.Combine(run, "best.ckpt"), Input = input, OutputDir = Dir("c"), Probabilities = true });
        Assert.Equal(PngFile.Read(Path.Combine(Dir("c"), "a_prob1.png")).Data, PngFile.Read(Path.Combine(Dir("w"), "a_prob1.png")).Data);
    }

    [Fact]
    public void AnOutputFolderEqualToTheInputFolderIsRefused()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "a.png"), 16, 16);
        Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = run, Input = inDir, OutputDir = inDir }));
    }

    static void AssertSameGeometry(NiftiHeader expected, NiftiHeader actual)
    {
        Assert.Equal(expected.Dim.Take(expected.Rank + 1), actual.Dim.Take(actual.Rank + 1));
        Assert.Equal(expected.PixDim.Take(4), actual.PixDim.Take(4));
        Assert.Equal(expected.QformCode, actual.QformCode);
        Assert.Equal(expected.SformCode, actual.SformCode);
        Assert.Equal(new[] { expected.QuaternB, expected.QuaternC, expected.QuaternD, expected.QOffsetX, expected.QOffsetY, expected.QOffsetZ },
            new[] { actual.QuaternB, actual.QuaternC, actual.QuaternD, actual.QOffsetX, actual.QOffsetY, actual.QOffsetZ });
        Assert.Equal(expected.SRowX, actual.SRowX);
        Assert.Equal(expected.SRowY, actual.SRowY);
        Assert.Equal(expected.SRowZ, actual.SRowZ);
        Assert.Equal(expected.XyztUnits, actual.XyztUnits);
        Assert.Equal(expected.Affine.Cast<double>(), actual.Affine.Cast<double>());
    }
}
