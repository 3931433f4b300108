namespace UNetSharp.IO;

/// <summary>
/// The files of a training run folder, each named here once. What is decided before training is written once and never
/// rewritten: config.json (the settings; only a resume's longer length or a time budget's measured step count changes
/// it), plan.json (network, patch, normalisation) and splits.json. What training and validation decide afterwards (the
/// prediction depth, post-processing, tuned instance decoders) goes to inference.json; the rest are results.
/// </summary>
public sealed record RunFolder(string Path)
{
    public const string ConfigName = "config.json", PlanName = "plan.json", InferenceName = "inference.json", SplitsName = "splits.json",
        MetricsName = "metrics.json", CasesName = "cases.csv", CurvesName = "curves.png", OverlaysName = "overlays", HistoryName = "history.csv",
        LastCheckpointName = "last.ckpt", BestCheckpointName = "best.ckpt", InstancesName = "instances.json",
        CrossValidationJsonName = "cv_summary.json", CrossValidationCsvName = "cv_summary.csv", CrossValidationCasesName = "cv_cases.csv", FoldPrefix = "fold_";

    public string Config => File(ConfigName);
    public string Plan => File(PlanName);
    public string Inference => File(InferenceName);
    public string Splits => File(SplitsName);
    public string Metrics => File(MetricsName);
    public string Cases => File(CasesName);
    public string Curves => File(CurvesName);
    public string Overlays => File(OverlaysName);
    public string History => File(HistoryName);
    public string LastCheckpoint => File(LastCheckpointName);
    public string BestCheckpoint => File(BestCheckpointName);
    public string Instances => File(InstancesName);

    /// <summary>Cross-validation fold k's own run folder.</summary>
    public RunFolder Fold(int k) => new(File(FoldPrefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The run folder of a run folder or of a file in it (a checkpoint, weights).</summary>
    public static RunFolder Of(string folderOrFile) => new(Directory.Exists(folderOrFile) ? folderOrFile
        : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(folderOrFile)) ?? ".");
}
