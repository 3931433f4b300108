using System.Text.Json;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;

namespace UNetSharp.Pipeline;

/// <summary>
/// Which cases a run trains and validates on, by case id; saved as splits.json in nnU-Net's splits_final.json format
/// (a list of folds, here one: <c>[{"train": [...], "val": [...]}]</c>) so a resumed run validates on the same cases even
/// when the split settings or the data set's order would now give another split.
/// </summary>
public sealed record RunSplit(IReadOnlyList<string> Train, IReadOnlyList<string> Val)
{
    public const string FileName = RunFolder.SplitsName;

    /// <summary>Deterministic shuffle by the data seed; the last ValidationFraction (at least one case) validates.</summary>
    public static RunSplit Create(SegmentationDataset data, double validationFraction, int seed, int? maxCases)
    {
        int count = data.Count;
        if (count < 2) throw new ConfigurationException($"{data.Root}: need at least 2 cases (one to train, one to validate), found {count}");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        if (maxCases is int max) order = order.Take(Math.Max(2, max)).ToArray();
        int validation = Math.Clamp((int)Math.Round(order.Length * validationFraction), 1, order.Length - 1);
        return new RunSplit(
            order.Take(order.Length - validation).Order().Select(i => data.CaseIds[i]).ToList(),
            order.Skip(order.Length - validation).Order().Select(i => data.CaseIds[i]).ToList());
    }

    /// <summary>
    /// k folds as nnU-Net's splits_final.json: the cases (at most <paramref name="maxCases"/>) shuffled by the data seed and
    /// dealt out in turn, so every case validates in exactly one fold and the folds differ in size by at most one; each
    /// fold trains on all the others. Case lists are sorted by id.
    /// </summary>
    public static IReadOnlyList<RunSplit> CreateFolds(SegmentationDataset data, int folds, int seed, int? maxCases)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(order);
        if (maxCases is int max) order = order.Take(Math.Max(2, max)).ToArray();
        if (folds < 2 || folds > order.Length)
            throw new ConfigurationException($"{data.Root}: {folds} folds need at least {Math.Max(2, folds)} cases (one per fold), found {order.Length}");
        var ids = order.Select(i => data.CaseIds[i]).ToArray();
        return Enumerable.Range(0, folds).Select(k => new RunSplit(
            ids.Where((_, i) => i % folds != k).Order(StringComparer.Ordinal).ToList(),
            ids.Where((_, i) => i % folds == k).Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>Writes every fold into FOLDER/splits.json.</summary>
    public static void SaveFolds(string folder, IReadOnlyList<RunSplit> folds) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), ProjectJson.Serialize(folds));

    /// <summary>Every fold of FOLDER/splits.json (nnU-Net's splits_final.json format), each with non-empty lists.</summary>
    public static IReadOnlyList<RunSplit> LoadFolds(string folder)
    {
        string path = Path.Combine(folder, FileName);
        try
        {
            var folds = ProjectJson.Deserialize<List<RunSplit>>(File.ReadAllText(path), path);
            if (folds is null || folds.Count == 0 || folds.Any(f => f is null || f.Train is null || f.Val is null || f.Train.Count == 0 || f.Val.Count == 0))
                throw new DataFormatException(path, "needs folds with non-empty \"train\" and \"val\" case lists");
            return folds;
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid split file: {e.Message}", e); }
    }

    /// <summary>Indices into <paramref name="data"/> of the training and validation cases; a case the data set lacks is an error naming it.</summary>
    public (List<int> Train, List<int> Validation) Indices(SegmentationDataset data, string splitFile)
    {
        var index = data.CaseIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        List<int> Find(IEnumerable<string> ids) => ids.Select(id => index.TryGetValue(id, out int i) ? i
            : throw new DataFormatException(splitFile, $"case '{id}' is not in the data set {data.Root}")).ToList();
        return (Find(Train), Find(Val));
    }

    public void Save(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), ProjectJson.Serialize(new[] { this }));

    /// <summary>The first fold of RUN/splits.json; its "val" may be empty only where <paramref name="allowNoValidation"/>
    /// (the all fold, which validates on nothing; a reader that needs the training cases alone).</summary>
    public static RunSplit Load(string runFolder, bool allowNoValidation = false)
    {
        string path = Path.Combine(runFolder, FileName);
        try
        {
            var folds = ProjectJson.Deserialize<List<RunSplit>>(File.ReadAllText(path), path);
            if (folds is null || folds.Count == 0 || folds[0] is null || folds[0].Train is null || folds[0].Val is null || folds[0].Train.Count == 0 || (folds[0].Val.Count == 0 && !allowNoValidation))
                throw new DataFormatException(path, allowNoValidation ? "needs one fold with a non-empty \"train\" case list" : "needs one fold with non-empty \"train\" and \"val\" case lists");
            return folds[0];
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid split file: {e.Message}", e); }
    }
}
