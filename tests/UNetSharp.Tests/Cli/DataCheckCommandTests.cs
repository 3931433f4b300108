using System.Text.Json;
using UNetSharp.Tests.Evaluation;

namespace UNetSharp.Tests.Cli;

[Trait("Category", "Slow")]
public class DataCheckCommandTests
{
    [SkippableTheory]
    [InlineData("msd-hippocampus", 195)]
    [InlineData("isbi2012-em", 24)]
    [InlineData("dsb2018/stage1_train", 200)]
    public void Shared_data_sets_check_clean_with_their_case_counts(string set, int cases)
    {
        string dir = SharedData.Require(set);
        var run = CliProcess.Run(Path.GetTempPath(), "data", "check", "--data", dir, "--json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(cases, doc.RootElement.GetProperty("cases").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("problems").GetArrayLength());
    }

    [SkippableFact]
    public void The_one_case_spleen_crop_fails_the_check_because_it_cannot_train()
    {
        var run = CliProcess.Run(Path.GetTempPath(), "data", "check", "--data", SharedData.Require("msd-spleen-crop"), "--json");
        Assert.True(run.ExitCode == 3, run.Stdout + run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("cases").GetInt32());
        Assert.Contains("training needs at least 2", doc.RootElement.GetProperty("problems")[0].GetProperty("problem").GetString());
    }

    [Fact]
    public void A_broken_data_set_lists_its_problems_and_exits_3()
    {
        using var tmp = new EvalTempDir();
        string images = tmp.Sub("images"), labels = tmp.Sub("labels");
        int[] square = EvalFiles.Box([8, 8], [2, 2], [6, 6], 255);
        EvalFiles.Png(images, "ok.png", square, 8, 8);
        EvalFiles.Png(labels, "ok.png", square, 8, 8);
        EvalFiles.Png(images, "nolabel.png", square, 8, 8);
        EvalFiles.Png(images, "shape.png", square, 8, 8);
        EvalFiles.Png(labels, "shape.png", EvalFiles.Box([8, 9], [2, 2], [6, 6], 255), 8, 9);

        var json = CliProcess.Run(tmp.Path, "data", "check", "--data", tmp.Path, "--json");
        Assert.True(json.ExitCode == 3, json.Stdout + json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(3, doc.RootElement.GetProperty("cases").GetInt32());
        var problems = doc.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("case").GetString()).ToList();
        Assert.Equal(["nolabel", "shape"], problems.Order());

        var text = CliProcess.Run(tmp.Path, "data", "check", "--data", tmp.Path, "--layout", "paired");
        Assert.Equal(3, text.ExitCode);
        Assert.Contains("2 problem(s)", text.Stdout);
        Assert.Contains("label shape", text.Stdout);
    }

    [Fact]
    public void Missing_folder_or_bad_layout_exits_2()
    {
        using var tmp = new EvalTempDir();
        var missing = CliProcess.Run(tmp.Path, "data", "check", "--data", Path.Combine(tmp.Path, "nope"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope", missing.Stderr);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "data", "check", "--data", tmp.Path, "--layout", "zip").ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "data", "check").ExitCode);
    }
}
