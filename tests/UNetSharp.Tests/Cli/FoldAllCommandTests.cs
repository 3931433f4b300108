using UNetSharp.Cli;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Cli;

/// <summary>The depth rule and the all fold as a user meets them: train --help, one-line refusals (exit 2, nothing written).</summary>
public sealed class FoldAllCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-foldall-cli-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    [Fact]
    public void TrainHelpDocumentsTheDepthRulesAndFoldAll()
    {
        Assert.Equal(0, Cli("train", "--help"));
        string help = string.Join(" ", stdout.ToString().Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)); // unwrapped
        Assert.Contains("--depth-rule", help);
        foreach (string rule in new[] { "accuracy", "tolerance:D", "fastest-within:D", "latency:T", "default tolerance:0.005" }) Assert.Contains(rule, help);
        Assert.Contains("'all': nnU-Net's all fold", help);
        Assert.Contains("--no-postprocessing", help);
    }

    [Fact]
    public void FoldAllWithoutACrossValidationIsOneLineExitTwoAndWritesNothing()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 4);
        string parent = Path.Combine(root, "cv");
        Assert.Equal(2, Cli("train", "--data", data, "--out", parent, "--fold", "all", "--epochs", "1"));
        string error = stderr.ToString().Trim();
        Assert.StartsWith("error: the all fold takes its prediction depth and post-processing from a finished cross-validation", error);
        Assert.Contains("holds no cross-validation", error);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(parent));
    }

    [Theory]
    [InlineData("--depth-rule", "quick", "--depth-rule must be accuracy, tolerance:D")]
    [InlineData("--fold", "every", "--fold must be a fold number (0-based) or 'all'")]
    public void ABadRuleOrFoldIsOneLineNamingTheFlag(string flag, string value, string message)
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 4);
        Assert.Equal(2, Cli("train", "--data", data, "--out", Path.Combine(root, "run"), flag, value));
        Assert.Contains(message, stderr.ToString());
        Assert.False(Directory.Exists(Path.Combine(root, "run")));
    }

    [Fact]
    public void PredictRefusesAnUnknownCrossValidationModel()
    {
        Assert.Equal(2, Cli("predict", "--model", root, "--input", root, "--out", Path.Combine(root, "out"), "--cv-model", "best"));
        Assert.Contains("--cv-model must be ensemble or all, got 'best'", stderr.ToString());
    }
}
