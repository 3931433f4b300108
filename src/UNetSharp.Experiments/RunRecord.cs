using UNetSharp.IO;
using UNetSharp.Pipeline;

namespace UNetSharp.Experiments;

/// <summary>One case × class at one depth of one run (a row of results.csv).</summary>
public sealed record CaseScore(string Case, int Class, double Dice, double Iou, double Precision, double Recall, double Hd95, double Assd);

/// <summary>One pruned depth of one run: time per case, the paper protocol's IoU (when asked), every case's scores.</summary>
public sealed record DepthRecord(int Depth, double SecondsPerCase, double? PaperIou, IReadOnlyList<CaseScore> Cases)
{
    /// <summary>Mean over the cases of the mean over classes of a metric (NaN values left out), as metrics.json's mean_dice.</summary>
    public double Mean(Func<CaseScore, double> metric)
    {
        var perClass = Cases.GroupBy(c => c.Class).Select(g => g.Select(metric).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average())
            .Where(v => !double.IsNaN(v)).ToList();
        return perClass.Count == 0 ? double.NaN : perClass.Average();
    }
}

/// <summary>
/// experiment-run.json in a run folder: what one finished run of an experiment measured. Its presence is what marks the run
/// as done, so a resumed experiment skips it; it is written last, atomically.
/// </summary>
public sealed record RunRecord(string Dataset, string Architecture, long Seed, string RunDirectory, long Steps, double TrainingSeconds,
    int ChosenDepth, IReadOnlyList<DepthRecord> Depths)
{
    public const string FileName = "experiment-run.json";

    public static RunRecord From(string dataset, string architecture, long seed, long steps, TrainRunResult result, IReadOnlyList<int>? depths,
        Func<DepthResult, double?> paperIou) => new(dataset, architecture, seed, result.RunDirectory, steps, result.TrainingSeconds, result.ChosenDepth,
        result.Depths.Where(d => depths is null || depths.Contains(d.Key)).OrderBy(d => d.Key).Select(d => new DepthRecord(d.Key, d.Value.SecondsPerCase, paperIou(d.Value),
            d.Value.Summary.CaseResults.SelectMany((c, i) => c.Classes.Select(k => new CaseScore(c.CaseId ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture), k.Label,
                k.Overlap.Dice, k.Overlap.IoU, k.Overlap.Precision, k.Overlap.Recall, k.Distance.Hd95, k.Distance.Assd))).ToList())).ToList());

    public void Save(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), ProjectJson.Serialize(this));

    /// <summary>The record of a finished run, or null when the run has not finished.</summary>
    public static RunRecord? TryLoad(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        return File.Exists(path) ? ProjectJson.Deserialize<RunRecord>(File.ReadAllText(path), path) : null;
    }
}
