namespace UNetSharp.Pipeline;

/// <summary>
/// What a split file must say to be one experiment's split: no case listed twice, no case both trained and validated on,
/// and, for cross-validation folds, every case validated in exactly one fold and trained on in all the others
/// (nnU-Net's splits_final.json). Messages name the file and the first case at fault.
/// </summary>
public static class RunSplitChecks
{
    /// <summary>Refuses a split whose lists repeat a case or share one.</summary>
    public static void CheckDisjoint(RunSplit split, string splitFile, int? fold = null)
    {
        string where = fold is int k ? $"fold {k}: " : "";
        if (split.Train.Concat(split.Val).Any(string.IsNullOrWhiteSpace)) throw new DataFormatException(splitFile, $"{where}a case id is empty or null");
        if (FirstRepeated(split.Train) is { } t) throw new DataFormatException(splitFile, $"{where}case '{t}' is listed twice in \"train\"");
        if (FirstRepeated(split.Val) is { } v) throw new DataFormatException(splitFile, $"{where}case '{v}' is listed twice in \"val\"");
        var train = split.Train.ToHashSet(StringComparer.Ordinal);
        if (split.Val.FirstOrDefault(train.Contains) is { } both)
            throw new DataFormatException(splitFile, $"{where}case '{both}' is in both \"train\" and \"val\": a validation case must not be trained on");
    }

    /// <summary>Refuses folds that do not partition their cases: each case validates in exactly one fold and every fold trains on all the others.</summary>
    public static void CheckPartition(IReadOnlyList<RunSplit> folds, string splitFile)
    {
        for (int k = 0; k < folds.Count; k++) CheckDisjoint(folds[k], splitFile, k);
        if (folds.Count < 2) return;
        var validatedIn = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < folds.Count; k++)
            foreach (string id in folds[k].Val)
                if (!validatedIn.TryAdd(id, k))
                    throw new DataFormatException(splitFile, $"case '{id}' is validated in fold {validatedIn[id]} and in fold {k}: folds must not overlap");
        for (int k = 0; k < folds.Count; k++)
        {
            var train = folds[k].Train.ToHashSet(StringComparer.Ordinal);
            foreach (var (id, home) in validatedIn.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (home != k && !train.Contains(id))
                    throw new DataFormatException(splitFile, $"fold {k} does not train on case '{id}' (validated in fold {home}): the folds do not partition the cases");
            if (folds[k].Train.FirstOrDefault(id => !validatedIn.ContainsKey(id)) is { } orphan)
                throw new DataFormatException(splitFile, $"fold {k} trains on case '{orphan}', which no fold validates: the folds do not partition the cases");
        }
    }

    static string? FirstRepeated(IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return ids.FirstOrDefault(id => !seen.Add(id));
    }
}
