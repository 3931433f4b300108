using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.Tests.Evaluation;

namespace UNetSharp.Tests.Honest;

/// <summary>Every distance evaluate reports names its unit: mm when the references are NIfTI (their spacing), px for
/// PNG/TIFF (no spacing).</summary>
public sealed class DistanceUnitTests
{
    [Theory]
    [InlineData("nifti", "mm")]
    [InlineData("png", "px")]
    public void DistancesNameTheirUnit(string format, string unit)
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        if (format == "nifti")
        {
            int[] shape = [4, 6, 6];
            EvalFiles.Nifti(refs, "a.nii.gz", EvalFiles.Box(shape, [1, 1, 1], [3, 4, 4]), shape, [3, 1, 1]);
            EvalFiles.Nifti(pred, "a.nii.gz", EvalFiles.Box(shape, [1, 2, 1], [3, 5, 4]), shape, [3, 1, 1]);
        }
        else
        {
            EvalFiles.Png(refs, "a.png", EvalFiles.Box([6, 6], [1, 1], [4, 4]), 6, 6);
            EvalFiles.Png(pred, "a.png", EvalFiles.Box([6, 6], [2, 1], [5, 4]), 6, 6);
        }
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.True(CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", tmp.Sub("out")], stdout, stderr) == 0, stderr.ToString());
        Assert.Contains($"HD95 {unit}", stdout.ToString());
        Assert.Contains($"ASSD {unit}", stdout.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Path, "out", "summary.json")));
        Assert.Equal(unit, summary.RootElement.GetProperty("distance_unit").GetString());
        Assert.Contains($"HD95 ({unit})", File.ReadAllText(Path.Combine(tmp.Path, "out", "report.html")));
    }
}
