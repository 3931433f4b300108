using System.Text.Json.Nodes;
using UNetSharp.Cli;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Integrity;

/// <summary>
/// The run-folder contract (issue 20, item 1): plan.json, config.json, splits.json and the checkpoints of a run folder
/// agree, or resume, predict, export, ensembles and `check` refuse it with one line naming both files and the field,
/// exit 2, nothing written.
/// </summary>
public sealed class RunFolderContractTests(TrainedRunFolder trained) : IClassFixture<TrainedRunFolder>, IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-contract-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    string Copy() => trained.CopyTo(Dir("run"));

    string ErrorLine() => Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));

    string Input()
    {
        string input = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(input, "a.png"), 32, 32);
        return input;
    }

    [Fact]
    public void ATrainedRunFolderPassesAndCheckSaysWhatItChecked()
    {
        string run = Copy();
        var check = RunFolderVerifier.Verify(run);
        Assert.Contains(check.Checked, l => l.Contains(RunFolder.PlanName) && l.Contains("widths 4,8,16"));
        Assert.Contains(check.Checked, l => l.Contains(RunFolder.LastCheckpointName) && l.Contains("intact"));
        Assert.Contains(check.Checked, l => l.Contains(RunFolder.BestCheckpointName) && l.Contains("intact"));
        Assert.Contains(check.Checked, l => l.Contains(RunFolder.SplitsName) && l.Contains("4 training and 1 validation"));

        Assert.Equal(0, Cli("check", run));
        string text = stdout.ToString();
        Assert.Contains($"data set {trained.Data}: 5 cases", text);
        Assert.Contains("every case is in", text);
        Assert.Contains("is one consistent run", text);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void PredictRefusesAPlanWhoseWidthsTheCheckpointContradicts()
    {
        string run = Copy();
        RunFolderFiles.SetJson(Path.Combine(run, RunFolder.PlanName), new JsonArray(8, 16, 32), "network", "widths");

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", Input(), "--out", Dir("out")));
        string error = ErrorLine();
        // config.json is read first and fixed the widths too: the first file to contradict the plan is named with it
        Assert.Contains($"{Path.Combine(run, RunFolder.ConfigName)}: widths is 4,8,16, but {Path.Combine(run, RunFolder.PlanName)} has 8,16,32", error);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void PredictRefusesAPlanWhoseWidthsTheCheckpointContradictsWithoutAConfig()
    {
        string run = Copy();
        File.Delete(Path.Combine(run, RunFolder.ConfigName));
        RunFolderFiles.SetJson(Path.Combine(run, RunFolder.PlanName), new JsonArray(8, 16, 32), "network", "widths");

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", Input(), "--out", Dir("out")));
        Assert.Contains($"{Path.Combine(run, RunFolder.PlanName)}: widths is 8,16,32, but {Path.Combine(run, RunFolder.LastCheckpointName)} has 4,8,16", ErrorLine());
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void PredictRefusesAForeignCheckpointOfTheSameDepthAndClasses()
    {
        string run = Copy();
        RunFolderFiles.ReplaceWithForeignNetwork(Path.Combine(run, RunFolder.BestCheckpointName), n => n with { Widths = [6, 12, 24], Architecture = "unet++" });

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", Input(), "--out", Dir("out")));
        string error = ErrorLine();
        Assert.Contains($"{RunFolder.PlanName}: architecture is unet#, but {Path.Combine(run, RunFolder.BestCheckpointName)} has unet++", error);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ExportRefusesACheckpointWhoseNormDiffersFromThePlan()
    {
        string run = Copy();
        RunFolderFiles.ReplaceWithForeignNetwork(Path.Combine(run, RunFolder.BestCheckpointName), n => n with { Norm = UNetSharp.Models.NormKind.Instance });
        string onnx = Dir("m.onnx");

        Assert.Equal(CliApp.BadInput, Cli("export", "--model", run, "--out", onnx));
        Assert.Contains("norm is batch, but", ErrorLine());
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void PredictRefusesAConfigThatDoesNotParse()
    {
        string run = Copy();
        RunFolderFiles.SetJson(Path.Combine(run, RunFolder.ConfigName), "many", "optimisation", "epochs");

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", Input(), "--out", Dir("out")));
        Assert.Contains(RunFolder.ConfigName, ErrorLine());
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ResumeRefusesAConfigWhoseWidthsContradictThePlanAndWritesNothing()
    {
        string run = Copy();
        string config = Path.Combine(run, RunFolder.ConfigName);
        RunFolderFiles.SetJson(config, new JsonArray(8, 16, 32), "network", "widths");
        var before = Snapshot(run);

        Assert.Equal(CliApp.BadInput, Cli("train", "--resume", "--out", run, "--epochs", "2"));
        string error = ErrorLine();
        Assert.Contains($"{config}: widths is 8,16,32, but {Path.Combine(run, RunFolder.PlanName)} has 4,8,16", error);
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void ResumeRefusesAConfigWhoseSeedContradictsTheCheckpoint()
    {
        string run = Copy();
        string config = Path.Combine(run, RunFolder.ConfigName);
        RunFolderFiles.SetJson(config, 77, "optimisation", "seed");
        var before = Snapshot(run);

        Assert.Equal(CliApp.BadInput, Cli("train", "--resume", "--out", run, "--epochs", "2"));
        Assert.Contains($"{config}: seed is 77, but {Path.Combine(run, RunFolder.LastCheckpointName)} has 9", ErrorLine());
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void ResumeRefusesAValidationCaseThatIsAlsoTrainedOn()
    {
        string run = Copy();
        string splits = Path.Combine(run, RunFolder.SplitsName);
        var split = JsonNode.Parse(File.ReadAllText(splits))!;
        string val = split[0]!["val"]![0]!.GetValue<string>();
        split[0]!["train"]!.AsArray().Add(val);
        File.WriteAllText(splits, split.ToJsonString());
        var before = Snapshot(run);

        Assert.Equal(CliApp.BadInput, Cli("train", "--resume", "--out", run, "--epochs", "2"));
        Assert.Contains($"{splits}: case '{val}' is in both \"train\" and \"val\"", ErrorLine());
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void CheckRefusesASplitCaseTheDataSetLacks()
    {
        string run = Copy();
        string splits = Path.Combine(run, RunFolder.SplitsName);
        var split = JsonNode.Parse(File.ReadAllText(splits))!;
        split[0]!["train"]!.AsArray().Add("ghost");
        File.WriteAllText(splits, split.ToJsonString());

        Assert.Equal(CliApp.BadInput, Cli("check", run));
        Assert.Contains($"{splits}: case 'ghost' is not in the data set", ErrorLine());
    }

    [Fact]
    public void ACheckpointThatHasTakenMoreStepsThanTheConfigAllowsIsRefused()
    {
        string run = Copy();
        RunFolderFiles.SetJson(Path.Combine(run, RunFolder.ConfigName), 1, "optimisation", "iterations");

        var e = Assert.Throws<DataFormatException>(() => RunFolderVerifier.Verify(run));
        Assert.Contains("allows 1 steps", e.Message);
        Assert.Contains("has already taken 3", e.Message);
    }

    [Fact]
    public void AChosenDepthTheNetworkLacksIsRefused()
    {
        string run = Copy();
        RunFolderFiles.SetJson(Path.Combine(run, RunFolder.InferenceName), 7, "chosen_depth");

        var e = Assert.Throws<DataFormatException>(() => RunFolderVerifier.Verify(run));
        Assert.Contains("chosen depth 7 is outside 1..2", e.Message);
    }

    [Fact]
    public void AnEnsembleOfFoldsRefusesAFoldWithoutAModel()
    {
        string cv = Dir("cv");
        trained.CopyTo(Path.Combine(cv, "fold_0"));
        Directory.CreateDirectory(Path.Combine(cv, "fold_1"));

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", cv, "--input", Input(), "--out", Dir("out")));
        Assert.Contains($"{Path.Combine(cv, "fold_1")}: this fold holds neither best.ckpt nor last.ckpt", ErrorLine());
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void CrossValidationRefusesOverlappingFoldsBeforeWritingAnything()
    {
        string cv = Directory.CreateDirectory(Dir("cv")).FullName;
        var ids = Directory.GetFiles(Path.Combine(trained.Data, "images")).Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToArray();
        // fold 1 validates case 0 again: it is validated twice and trained on in fold 1 nowhere
        RunSplit.SaveFolds(cv, [new(ids[2..], ids[..2]), new([.. ids[..2], .. ids[3..]], [ids[2], ids[0]])]);
        var before = Snapshot(cv);

        Assert.Equal(CliApp.BadInput, Cli("train", "--data", trained.Data, "--out", cv, "--folds", "2", "--widths", "4,8,16", "--depth", "2", "--epochs", "1"));
        Assert.Contains(Path.Combine(cv, RunFolder.SplitsName), ErrorLine());
        Assert.Equal(before, Snapshot(cv));
    }

    static Dictionary<string, string> Snapshot(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
