using System.Text.Json;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Evaluation;
using UNetSharp.Tests.Evaluation;

namespace UNetSharp.Tests.Cli;

public class BenchLoaderCommandTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void Small_data_set_gives_a_positive_loader_rate_and_step_ratio_in_json()
    {
        using var tmp = new EvalTempDir();
        string images = tmp.Sub("images"), labels = tmp.Sub("labels");
        for (int i = 0; i < 3; i++)
        {
            var label = EvalFiles.Box([48, 48], [4 + i, 4], [30, 30 + i], 255);
            EvalFiles.Png(images, $"c{i}.png", label.Select(v => v / 2 + 20 * i).ToArray(), 48, 48);
            EvalFiles.Png(labels, $"c{i}.png", label, 48, 48);
        }
        string outFile = Path.Combine(tmp.Path, "bench.json");

        var run = CliProcess.Run(tmp.Path, "bench", "loader", "--data", tmp.Path, "--patch", "32x32", "--batches", "3", "--augment", "nnunet",
            "--workers", "2", "--out", outFile);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(outFile));
        var row = Assert.Single(doc.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(3, row.GetProperty("cases").GetInt32());
        Assert.Equal(1, row.GetProperty("classes").GetInt32());
        Assert.True(row.GetProperty("cases_per_s").GetDouble() > 0);
        Assert.True(row.GetProperty("step_s").GetDouble() > 0);
        Assert.True(row.GetProperty("loader_vs_step").GetDouble() > 0);
        Assert.Contains("written to", run.Stdout);
    }

    [Fact]
    public void Step_networks_follow_the_issue()
    {
        var (c2, p2) = LoaderBenchmark.StepNetwork(2, 3, 1, [256, 256]);
        Assert.Equal([32, 64, 128, 256, 512], c2.Widths);
        Assert.Equal("unet#", c2.Architecture);
        Assert.Equal(3, c2.InChannels);
        Assert.Equal([256L, 256], p2);
        var (c3, p3) = LoaderBenchmark.StepNetwork(3, 1, 3, [40, 56, 40]);
        Assert.Equal([16, 32, 64, 128], c3.Widths);
        Assert.Equal(3, c3.Depth);
        Assert.Equal([48L, 64, 48], p3);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Bad_arguments_exit_2()
    {
        using var tmp = new EvalTempDir();
        Assert.Equal(2, CliProcess.Run(tmp.Path, "bench", "loader", "--data", tmp.Path, "--augment", "heavy").ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "bench", "loader", "--data", tmp.Path, "--workers", "8").ExitCode);
        Assert.Equal(2, CliProcess.Run(tmp.Path, "bench", "loader", "--data", Path.Combine(tmp.Path, "none")).ExitCode);
    }
}
