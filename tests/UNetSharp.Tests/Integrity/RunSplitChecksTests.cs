using UNetSharp.Cli;
using UNetSharp.IO;
using UNetSharp.Pipeline;

namespace UNetSharp.Tests.Integrity;

/// <summary>Split files that are not one experiment's split: repeated or shared cases, folds that do not partition.</summary>
public sealed class RunSplitChecksTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-splits-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static RunSplit S(string[] train, string[] val) => new(train, val);

    [Fact]
    public void FoldsThatPartitionTheCasesPass()
    {
        RunSplitChecks.CheckPartition([S(["b", "c"], ["a"]), S(["a", "c"], ["b"]), S(["a", "b"], ["c"])], "splits.json");
    }

    [Theory]
    [InlineData("a,b|a|a,c|b", "case 'a' is in both \"train\" and \"val\"")]
    [InlineData("b,b|a|a|b", "case 'b' is listed twice in \"train\"")]
    [InlineData("b|a|b|a", "case 'a' is validated in fold 0 and in fold 1")]
    [InlineData("c|a|a,c|b", "fold 0 does not train on case 'b'")]
    [InlineData("b,x|a|a|b", "fold 0 trains on case 'x', which no fold validates")]
    public void FoldsThatDoNotPartitionTheCasesAreRefusedNamingTheCase(string folds, string expected)
    {
        var parts = folds.Split('|');
        var list = Enumerable.Range(0, parts.Length / 2).Select(k => S(parts[2 * k].Split(','), parts[2 * k + 1].Split(','))).ToList();
        var e = Assert.Throws<DataFormatException>(() => RunSplitChecks.CheckPartition(list, "splits.json"));
        Assert.StartsWith("splits.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CheckRefusesACrossValidationFolderWhoseFoldsOverlap()
    {
        string cv = Directory.CreateDirectory(Path.Combine(root, "cv")).FullName;
        RunSplit.SaveFolds(cv, [S(["b", "c"], ["a"]), S(["a", "c"], ["b", "a"])]);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.Equal(CliApp.BadInput, CliApp.Run(["check", cv], stdout, stderr));
        Assert.StartsWith($"error: {Path.Combine(cv, RunFolder.SplitsName)}: fold 1: case 'a' is in both", stderr.ToString());
    }
}
