using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Planning;
using UNetSharp.Tests.IO;

namespace UNetSharp.Tests.Clinical;

/// <summary>Prediction input in nnU-Net naming: case_0000 brings its case_0001 (the model's second channel); a missing or
/// an extra channel file is refused naming the case; case_0001 in a folder is not predicted on its own.</summary>
public sealed class ChannelFilesPredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-channels-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ChannelFilesAreStackedAndMissingOrExtraOnesRefusedNamingTheCase()
    {
        var config = UNetSharp.Tests.Models.TinyNets.Config(dims: 3, depth: 2, inChannels: 2);
        var plan = new ExperimentPlan
        {
            Network = config, PatchSize = [8, 8, 8], ClassValues = [0, 1],
            Normalization = [new ChannelNormalization(NormalizationKind.None), new ChannelNormalization(NormalizationKind.None)],
        };
        string zero = Path.Combine(root, "pat7_0000.nii"), one = Path.Combine(root, "pat7_0001.nii");
        NiftiFile.Write(zero, NiftiTestImages.Image(1, true, NiftiDataType.Float32, 8, 7, 6));
        var e = Assert.Throws<DataFormatException>(() => PredictionInput.Read(zero, plan, config));
        Assert.Contains("case 'pat7' has no channel file pat7_0001.nii", e.Message);

        NiftiFile.Write(one, NiftiTestImages.Image(1, true, NiftiDataType.Float32, 8, 7, 6));
        var input = PredictionInput.Read(zero, plan, config);
        Assert.Equal(2, input.Normalized.Channels);
        var a = NiftiFile.Read(zero).ToFloat32();
        var b = NiftiFile.Read(one).ToFloat32();
        Assert.Equal(a.Concat(b), input.Normalized.Image); // no normalisation: the two files as they are, channel 0 first
        Assert.True(PredictionOutputs.IsOtherChannelOfACase(one));
        Assert.False(PredictionOutputs.IsOtherChannelOfACase(zero));
        Assert.Equal("pat7", PredictionOutputs.CaseName(zero));

        NiftiFile.Write(Path.Combine(root, "pat7_0002.nii"), NiftiTestImages.Image(1, true, NiftiDataType.Float32, 8, 7, 6));
        Assert.Contains("case 'pat7' has an extra channel file pat7_0002.nii", Assert.Throws<DataFormatException>(() => PredictionInput.Read(zero, plan, config)).Message);
    }
}
