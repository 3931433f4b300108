using System.Text.Json;
using UNetSharp.Tests.Evaluation;

namespace UNetSharp.Tests.Cli;

[Trait("Category", "Slow")]
public class EvaluateCommandTests
{
    static (string Pred, string Ref) TwoCases(EvalTempDir tmp)
    {
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [10, 10, 10];
        EvalFiles.Nifti(refs, "a.nii.gz", EvalFiles.Box(shape, [2, 2, 2], [6, 6, 6]), shape, [3, 1, 1]);
        EvalFiles.Nifti(pred, "a.nii.gz", EvalFiles.Box(shape, [3, 2, 2], [7, 6, 6]), shape, [3, 1, 1]);
        EvalFiles.Nifti(refs, "b.nii.gz", EvalFiles.Box(shape, [2, 2, 2], [6, 6, 6]), shape, [3, 1, 1]);
        EvalFiles.Nifti(pred, "b.nii.gz", EvalFiles.Box(shape, [2, 2, 2], [6, 6, 6]), shape, [3, 1, 1]);
        return (pred, refs);
    }

    [Fact]
    public void Json_prints_one_object_with_class_means_and_writes_csv_and_summary()
    {
        using var tmp = new EvalTempDir();
        var (pred, refs) = TwoCases(tmp);
        string outDir = Path.Combine(tmp.Path, "out");

        var run = CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--out", outDir, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout); // the whole of stdout is one JSON object
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("cases").GetInt32());
        var c1 = root.GetProperty("classes").GetProperty("1");
        Assert.Equal((0.75 + 1.0) / 2, c1.GetProperty("dice").GetDouble(), 12);
        Assert.Equal((0.6 + 1.0) / 2, c1.GetProperty("iou").GetDouble(), 12);
        Assert.Equal(1.5, c1.GetProperty("hd95").GetDouble(), 12);
        Assert.Equal(2, c1.GetProperty("n").GetInt32());
        Assert.True(c1.TryGetProperty("assd", out _));
        Assert.Equal(0, root.GetProperty("unmatched_predictions").GetArrayLength());
        Assert.Equal(0, root.GetProperty("mismatched").GetArrayLength());
        Assert.Equal(run.Stdout.Trim(), File.ReadAllText(Path.Combine(outDir, "summary.json")).Trim());
        var csv = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("a,1,", csv[1]);
    }

    [Fact]
    public void Unmatched_files_exit_3_and_are_listed()
    {
        using var tmp = new EvalTempDir();
        var (pred, refs) = TwoCases(tmp);
        File.Move(Path.Combine(pred, "b.nii.gz"), Path.Combine(pred, "c.nii.gz"));

        var run = CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--json");

        Assert.True(run.ExitCode == 3, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal("c.nii.gz", doc.RootElement.GetProperty("unmatched_predictions")[0].GetString());
        Assert.Equal("b.nii.gz", doc.RootElement.GetProperty("unmatched_references")[0].GetString());
        Assert.True(File.Exists(Path.Combine(pred, "summary.json"))); // default output: the prediction folder
    }

    [Fact]
    public void A_corrupt_file_exits_2_naming_it_and_writes_nothing()
    {
        using var tmp = new EvalTempDir();
        var (pred, refs) = TwoCases(tmp);
        string bad = Path.Combine(pred, "b.nii.gz");
        File.WriteAllBytes(bad, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
        string outDir = Path.Combine(tmp.Path, "out");

        var run = CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--out", outDir);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains(bad, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Table_output_and_bad_arguments()
    {
        using var tmp = new EvalTempDir();
        var (pred, refs) = TwoCases(tmp);

        var table = CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(tmp.Path, "o"));
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("Dice", table.Stdout);
        Assert.Contains("0.875", table.Stdout);

        Assert.Equal(2, CliProcess.Run(tmp.Path, "evaluate", "--pred", pred).ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(refs, "x")).ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--binary-foreground", "7").ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "evaluate", "--pred", Path.Combine(tmp.Path, "nope"), "--ref", refs).ExitCode);
    }

    [Fact]
    public void Instances_of_a_binary_prediction_are_its_components_with_a_warning_line_and_a_per_case_table()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [12, 12];
        var reference = EvalFiles.Box(shape, [6, 6], [10, 10], 2, EvalFiles.Box(shape, [1, 1], [5, 5], 1));
        EvalFiles.Png(refs, "n.png", reference, 12, 12);
        EvalFiles.Png(pred, "n.png", reference.Select(v => v != 0 ? 255 : 0).ToArray(), 12, 12);
        string outDir = Path.Combine(tmp.Path, "out");

        var run = CliProcess.Run(tmp.Path, "evaluate", "--pred", pred, "--ref", refs, "--out", outDir, "--instances", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("warning: " + Path.Combine(pred, "n.png"), run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var mean = doc.RootElement.GetProperty("instances").GetProperty("mean");
        Assert.Equal(1.0, mean.GetProperty("dsb").GetDouble(), 12);   // both boxes found once labelled, not one merged "instance"
        Assert.Equal(1.0, mean.GetProperty("f1").GetDouble(), 12);
        var rows = File.ReadAllLines(Path.Combine(outDir, "instances.csv"));
        Assert.Equal("case,pred_instances,ref_instances,tp,fp,fn,pq,sq,rq,f1,aji,dsb,count_error", rows[0]);
        Assert.StartsWith("n,2,2,2,0,0,", rows[1]);
    }
}
