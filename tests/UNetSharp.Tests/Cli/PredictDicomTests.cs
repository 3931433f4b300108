using UNetSharp.Cli;
using UNetSharp.IO;
using UNetSharp.IO.Dicom;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.IO.Dicom;

namespace UNetSharp.Tests.Cli;

/// <summary>`unetsharp predict --input &lt;DICOM series folder&gt;` on the real reference series: one NIfTI label map per
/// series on the grid (shape and affine) of the NIfTI dicom2nifti made from it; several series in one folder predicted
/// separately, named by SeriesInstanceUID; the gantry-tilted series refused with exit 2 and nothing written.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class PredictDicomTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-predict-dicom-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    public static TheoryData<string> Series() => DicomReferenceSeries.Names();

    [SkippableTheory]
    [MemberData(nameof(Series))]
    public void PredictionOfEachReferenceSeriesIsOnTheReferenceGrid(string name)
    {
        string dir = Path.Combine(SharedData.Require("dicom-reference"), name);
        if (name.Contains("compressed")) Skip.If(GdcmCodec.Unavailable is not null, GdcmCodec.Unavailable ?? "");
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3), [4, 16, 16]);
        int code = Cli("predict", "--model", run, "--input", Path.Combine(dir, "series"), "--out", Dir("out"));
        Assert.True(code == 0, stderr.ToString());
        string output = Path.Combine(Dir("out"), "series.nii.gz");
        Assert.True(File.Exists(output), string.Join(", ", Directory.GetFiles(Dir("out"))));
        var predicted = NiftiFile.Read(output).Header;
        var reference = NiftiFile.Read(Path.Combine(dir, "001_ground_truth.nii.gz")).Header;
        Assert.Equal(reference.Sizes, predicted.Sizes);
        var (want, got) = (reference.Affine, predicted.Affine);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(want[r, c] - got[r, c]) <= 1e-4, $"affine[{r},{c}] {got[r, c]} vs reference {want[r, c]}");
    }

    [SkippableFact]
    public void AFolderOfSeveralSeriesIsPredictedPerSeriesAndTheTiltedOneIsRefused()
    {
        string data = SharedData.Require("dicom-reference");
        string input = Directory.CreateDirectory(Dir("in")).FullName;
        foreach (string name in new[] { "generic_anatomical", "hitachi_anatomical" })
        {
            string to = Directory.CreateDirectory(Path.Combine(input, name)).FullName;
            foreach (string f in Directory.GetFiles(Path.Combine(data, name, "series"))) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 3), [4, 16, 16]);
        Assert.Equal(0, Cli("predict", "--model", run, "--input", input, "--out", Dir("out")));
        var uids = DicomSeries.Scan(input).Select(s => s.SeriesUid).ToList();
        Assert.Equal(2, uids.Count);
        foreach (string uid in uids) Assert.True(File.Exists(Path.Combine(Dir("out"), uid + ".nii.gz")), uid);

        string tilted = Path.Combine(data, "failing_gantrytilting", "series");
        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", tilted, "--out", Dir("out2")));
        Assert.False(Directory.Exists(Dir("out2")));
        string last = stderr.ToString().Split('\n').Last(l => l.Length > 0);
        Assert.StartsWith("error: ", last);
        Assert.Contains("GantryDetectorTilt (0018,1120)", last);
    }
}
