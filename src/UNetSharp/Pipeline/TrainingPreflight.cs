using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;
using UNetSharp.IO;

namespace UNetSharp.Pipeline;

/// <summary>
/// What `train` (and `demo`) check before they write anything, so that a bad setting or a bad case ends the run with
/// one line and an untouched disk instead of a half-written run folder: the run folder's place (real paths) and
/// content, every case of the data set (<see cref="DatasetCheck.Require"/>), and the loader settings.
/// </summary>
public static class TrainingPreflight
{
    /// <summary>Files a run folder holds; a non-empty folder with none of them is somebody else's.</summary>
    static readonly string[] RunMarkers = ["plan.json", "config.json", "last.ckpt", "best.ckpt", "history.csv", "splits.json"]; // splits.json alone: a split given beforehand, as nnU-Net's splits_final.json

    /// <summary>
    /// The run folder may not be a file, may not be, lie inside or contain the data folder, and, when it exists and is not
    /// empty, must already be a run folder (a data folder or a user's folder is never written into).
    /// </summary>
    public static void CheckRunFolder(string runDirectory, string dataDirectory)
    {
        PathGuard.RequireFolderOrAbsent(runDirectory, "run folder");
        PathGuard.RefuseOverlap(runDirectory, "run folder", dataDirectory, "data folder");
        if (!Directory.Exists(runDirectory)) return;
        // hidden files (our temps, a lock file) do not make a folder somebody else's
        var entries = Directory.EnumerateFileSystemEntries(runDirectory).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.')).ToList();
        if (entries.Count > 0 && !entries.Any(e => RunMarkers.Contains(e, StringComparer.Ordinal)))
            throw new ConfigurationException($"run folder {runDirectory} already holds files that are not a training run (e.g. '{entries.Order(StringComparer.Ordinal).First()}'); choose a new or empty folder");
    }

    /// <summary>Every case checked (see <see cref="DatasetCheck.Require"/>); returns every label value found.</summary>
    public static IReadOnlyCollection<int> CheckData(SegmentationDataset data, IProgress<string>? status = null)
    {
        status?.Report($"checking all {data.Count} cases in {data.Root}");
        return DatasetCheck.Require(data).ClassVoxels.Keys;
    }

    /// <summary>Loader settings the trainer would refuse only after the run folder exists.</summary>
    public static void CheckLoader(LoaderOptions loader) => loader.Validate();
}
