using UNetSharp.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.Tests.Data.Layouts;
using UNetSharp.Tests.Evaluation;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Integrity;

/// <summary>Issue 20, items 5 and 6: what a run or a data set does not say must not pass in silence, and a success prints no error.</summary>
public sealed class NothingSilentlyIgnoredTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-silent-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void EvaluateReportsALabelThatOnlyThePredictionsHold()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [10, 10];
        EvalFiles.Png(refs, "a.png", EvalFiles.Box(shape, [2, 2], [6, 6]), 10, 10);
        EvalFiles.Png(pred, "a.png", EvalFiles.Box(shape, [7, 7], [9, 9], 3, EvalFiles.Box(shape, [2, 2], [6, 6])), 10, 10);

        var result = global::UNetSharp.Evaluation.FolderEvaluation.Run(pred, refs);

        Assert.Equal([1], result.Labels);
        Assert.Equal(1.0, Assert.Single(result.Summary.Classes).Dice, 12);
        Assert.Contains("label 3 appears in the predictions (first in a.png) but in no reference: not scored", Assert.Single(result.Warnings));
        Assert.Contains("label 3 appears", result.ToJson());
    }

    [Fact]
    public void InputsSkippedBecauseTheirOutputsExistAreNoErrors()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(input, "a.png"), 16, 16);
        PredictionTestFiles.WritePng(Path.Combine(input, "b.png"), 16, 16, seed: 2);
        string output = Path.Combine(root, "out");
        Assert.Equal(0, CliApp.Run(["predict", "--model", run, "--input", input, "--out", output], TextWriter.Null, new StringWriter()));

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, CliApp.Run(["predict", "--model", run, "--input", input, "--out", output, "--skip-existing"], stdout, stderr));
        Assert.DoesNotContain("error:", stderr.ToString());
        Assert.Contains("[1/2] a.png: skipped", stdout.ToString());
        Assert.Contains("[2/2] b.png: skipped", stdout.ToString());
        Assert.Contains("0 of 2 predicted, 2 skipped (outputs exist)", stdout.ToString());
    }

    [Fact]
    public void NnUNetChannelFilesWithAGapAreReportedNamingTheMissingFile()
    {
        foreach (string id in new[] { "brain_001", "brain_002" })
        {
            LayoutTestData.Nifti(Path.Combine(root, $"imagesTr/{id}_0000.nii.gz"), LayoutTestData.Values(24, i => i));
            if (id == "brain_001") LayoutTestData.Nifti(Path.Combine(root, $"imagesTr/{id}_0001.nii.gz"), LayoutTestData.Values(24, i => -i));
            LayoutTestData.Nifti(Path.Combine(root, $"imagesTr/{id}_0002.nii.gz"), LayoutTestData.Values(24, i => 2 * i));
            LayoutTestData.Nifti(Path.Combine(root, $"labelsTr/{id}.nii.gz"), LayoutTestData.Values(24, i => i % 2));
        }
        File.WriteAllText(Path.Combine(root, "dataset.json"), """
            { "channel_names": { "0": "T1", "1": "T2", "2": "FLAIR" }, "labels": { "background": 0, "tumour": 1 }, "numTraining": 2, "file_ending": ".nii.gz" }
            """);

        var summary = DatasetCheck.Run(root, LayoutOptions.Default);
        var problem = Assert.Single(summary.Problems);
        Assert.Equal("brain_002", problem.Case);
        Assert.Contains($"{Path.Combine(root, "imagesTr", "brain_002_0001.nii.gz")}: case 'brain_002' has no file for this channel", problem.Problem);
        Assert.Equal(3, DatasetLayouts.Open(root).Load(0).Channels); // the complete case still loads its three channels
    }

    [Fact]
    public void DsbMasksThatAreEmptyOrRepeatAnotherAreReported()
    {
        string dsb = Path.Combine(root, "dsb");
        void Case(string id, params int[][] masks)
        {
            EvalFiles.Png(Path.Combine(dsb, id, "images"), id + ".png", EvalFiles.Box([8, 8], [0, 0], [8, 8], 120), 8, 8);
            for (int k = 0; k < masks.Length; k++) EvalFiles.Png(Path.Combine(dsb, id, "masks"), $"m{k}.png", masks[k], 8, 8);
        }
        int[] a = EvalFiles.Box([8, 8], [1, 1], [3, 3], 255), b = EvalFiles.Box([8, 8], [4, 4], [7, 7], 255), empty = new int[64];
        Case("clean", a, b);
        Case("twice", a, b, EvalFiles.Box([8, 8], [1, 1], [3, 3], 1)); // the same pixels as m0, written with another value
        Case("hollow", a, empty);

        var summary = DatasetCheck.Run(dsb, LayoutOptions.Default);
        var problems = summary.Problems.OrderBy(p => p.Case).Select(p => (p.Case, p.Problem)).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Equal("hollow", problems[0].Case);
        Assert.Contains("m1.png: empty mask", problems[0].Problem);
        Assert.Equal("twice", problems[1].Case);
        Assert.Contains("m2.png: same pixels as m0.png", problems[1].Problem);
    }
}
