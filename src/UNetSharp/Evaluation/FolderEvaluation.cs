using UNetSharp.Data.Layouts;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Metrics;

namespace UNetSharp.Evaluation;

/// <summary>
/// Scores a folder of predicted label maps against a folder of references, pairing files by stem (name without
/// .nii.gz/.nii/.png/.tif/.tiff), so a.png may be scored against a.nii.gz. Unpaired files and pairs on different grids
/// (shape; spacing, origin and orientation where both files are NIfTI) are listed in the result, not scored and not hidden. Spacing comes from
/// the reference (1.0 per axis for PNG/TIFF). A file that cannot be read throws <see cref="DataFormatException"/> naming it.
/// </summary>
public static class FolderEvaluation
{
    public static FolderEvaluationResult Run(string predictionDir, string referenceDir, FolderEvaluationOptions? options = null)
    {
        options ??= new FolderEvaluationOptions();
        var predictions = List(predictionDir, "prediction");
        // Instances may be scored against a DSB 2018 case folder set directly (per-nucleus masks); it is a pool: only
        // the predicted cases are scored, the others are not "unmatched".
        var dsb = options.Instances && Directory.Exists(referenceDir) && !PairedFolderDataset.ByStem(referenceDir).Any() && Dsb2018Dataset.CaseRoot(referenceDir) is not null
            ? Dsb2018Dataset.Open(referenceDir, LayoutOptions.Default) : null;
        var references = dsb is null ? List(referenceDir, "reference")
            : dsb.CaseIds.ToDictionary(id => id, id => Path.Combine(dsb.Root, id, "masks"), StringComparer.Ordinal);
        var ids = predictions.Keys.Intersect(references.Keys).Order(StringComparer.Ordinal).ToList();

        var labels = options.Instances ? [1] : options.Regions is { } rs ? Enumerable.Range(1, rs.Regions.Count).ToArray()
            : options.Labels?.ToArray() ?? FoundLabels(ids.Select(id => references[id]), options);
        if (options.Labels is { } given && (given.Count == 0 || given.Distinct().Count() != given.Count))
            throw new ConfigurationException($"labels [{string.Join(",", given)}] must be a non-empty list of distinct values");
        if (ids.Count > 0 && labels.Length == 0)
            throw new ConfigurationException($"the references in {referenceDir} hold only background (0): name the labels to score");

        var cases = new List<CaseEvaluation>();
        var instances = options.Instances ? new List<InstanceCaseResult>() : null;
        var mismatched = new List<MismatchedCase>();
        var warnings = new List<string>();
        bool allNifti = true; // distances are in mm only when every scored reference carries its spacing
        var unscored = new SortedDictionary<int, string>();
        foreach (string id in ids)
        {
            string p = predictions[id], r = references[id];
            var reference = dsb is null ? LabelMap.Read(r) : DsbInstances(dsb, id);
            allNifti &= reference.IsNifti;
            var prediction = LabelMap.Read(p);
            if (Mismatch(prediction, reference) is { } problem)
            {
                mismatched.Add(new MismatchedCase(id, Path.GetFileName(p), Path.GetFileName(r), problem));
                continue;
            }
            if (options.Instances)
            {
                var predicted = InstanceIds(prediction, p, warnings);
                var expected = InstanceIds(reference, r, warnings);
                instances!.Add(new InstanceCaseResult(id, InstanceMetrics.Compute(predicted, expected, reference.Shape)));
                cases.Add(CaseEvaluation.Evaluate(Foreground(prediction.Values), Foreground(reference.Values), reference.Shape, reference.Spacing, labels, id, options.SurfaceDistances));
            }
            else if (options.Regions is { } regions)
                cases.Add(EvaluateRegions(regions, prediction.Classes(options.BinaryForeground, p), reference.Classes(options.BinaryForeground, r), reference, id, options.SurfaceDistances));
            else
            {
                var predicted = prediction.Classes(options.BinaryForeground, p);
                cases.Add(CaseEvaluation.Evaluate(predicted, reference.Classes(options.BinaryForeground, r),
                    reference.Shape, reference.Spacing, labels, id, options.SurfaceDistances));
                foreach (int v in predicted.Distinct().Where(v => v != 0 && !labels.Contains(v))) unscored.TryAdd(v, Path.GetFileName(p));
            }
        }
        // a label only the predictions hold is a false positive no Dice over the scored labels shows: say so
        foreach (var (label, first) in unscored.OrderBy(u => u.Key))
            warnings.Add($"label {label} appears in the predictions (first in {first}) but in no reference{(options.Labels is null ? "" : " label list")}: not scored; name it in --labels to score it");

        return new FolderEvaluationResult
        {
            PredictionDir = Path.GetFullPath(predictionDir),
            ReferenceDir = Path.GetFullPath(referenceDir),
            Labels = labels,
            Summary = new EvaluationSummary(cases),
            UnmatchedPredictions = predictions.Keys.Except(references.Keys).Order(StringComparer.Ordinal).Select(k => Path.GetFileName(predictions[k])).ToList(),
            UnmatchedReferences = dsb is not null || options.AllowMissing ? [] : Missing(references, predictions),
            SkippedReferences = dsb is null && options.AllowMissing ? Missing(references, predictions) : [],
            Mismatched = mismatched,
            Instances = instances,
            Warnings = warnings,
            RegionNames = options.Regions?.Regions.Select(x => x.Name).ToList(),
            CaseFiles = ids.ToDictionary(id => id, id => (predictions[id], references[id]), StringComparer.Ordinal),
            NnUNetKeys = options.NnUNetSummary,
            DistanceUnit = ids.Count > 0 && allNifti ? "mm" : "px",
        };
    }

    static List<string> Missing(Dictionary<string, string> references, Dictionary<string, string> predictions) =>
        references.Keys.Except(predictions.Keys).Order(StringComparer.Ordinal).Select(k => Path.GetFileName(references[k])).ToList();

    /// <summary>Each region as a binary problem (prediction in region vs reference in region), reported as label k + 1.</summary>
    public static CaseEvaluation EvaluateRegions(UNetSharp.Metrics.LabelRegions regions, int[] prediction, int[] reference, int[] shape, double[] spacing, string id, bool surfaceDistances)
    {
        var classes = new List<ClassEvaluation>();
        for (int k = 0; k < regions.Regions.Count; k++)
        {
            var one = CaseEvaluation.Evaluate(regions.Mask(prediction, k), regions.Mask(reference, k), shape, spacing, [1], id, surfaceDistances);
            classes.Add(one.Classes[0] with { Label = k + 1 });
        }
        return new CaseEvaluation(id, classes);
    }

    static CaseEvaluation EvaluateRegions(UNetSharp.Metrics.LabelRegions regions, int[] prediction, int[] reference, LabelMap map, string id, bool surfaceDistances) =>
        EvaluateRegions(regions, prediction, reference, map.Shape, map.Spacing, id, surfaceDistances);

    /// <summary>
    /// Where results go: <paramref name="output"/>, else the prediction folder (as nnU-Net's evaluate_folder writes its
    /// summary.json there; the CSV and JSON are not image files, so a rerun does not pick them up). Never inside the references.
    /// </summary>
    public static string OutputDir(string? output, string predictionDir, string referenceDir)
    {
        string dir = output ?? predictionDir;
        PathGuard.RequireFolderOrAbsent(dir, "output folder");
        // real paths: a symlink to the references, or refs/.., must not pass for another folder
        PathGuard.RefuseOverlap(dir, "output folder", referenceDir, "reference folder");
        // a user's own summary.json or cases.csv there is refused now, before the (long) evaluation
        OutputLedger.RefuseForeign(dir, [Path.Combine(dir, FolderEvaluationResult.CasesFile), Path.Combine(dir, FolderEvaluationResult.SummaryFile)]);
        return Path.GetFullPath(dir);
    }

    static Dictionary<string, string> List(string dir, string what)
    {
        if (!Directory.Exists(dir)) throw new DataFormatException(dir, $"{what} folder not found");
        try { return PairedFolderDataset.ByStem(dir); }
        catch (IOException e) { throw new DataFormatException(dir, $"cannot list the {what} folder ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(dir, $"cannot list the {what} folder ({e.Message})", e); }
    }

    static int[] FoundLabels(IEnumerable<string> references, FolderEvaluationOptions options)
    {
        var found = new SortedSet<int>();
        foreach (string path in references)
            foreach (int v in LabelMap.Read(path).Classes(options.BinaryForeground, path).Distinct())
                if (v != 0) found.Add(v);
        return [.. found];
    }

    static string? Mismatch(LabelMap prediction, LabelMap reference)
    {
        if (!prediction.Shape.SequenceEqual(reference.Shape))
            return $"prediction shape [{string.Join(",", prediction.Shape)}] differs from reference shape [{string.Join(",", reference.Shape)}]";
        // PNG/TIFF carry no spacing (always 1), so only two NIfTI files can disagree.
        if (prediction.IsNifti && reference.IsNifti && !CasePairing.SameSpacing(prediction.Spacing, reference.Spacing))
            return $"prediction spacing [{string.Join(",", prediction.Spacing.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}] " +
                   $"differs from reference spacing [{string.Join(",", reference.Spacing.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]";
        // same grid size, different place in the patient: a shifted or flipped prediction must not score Dice 1
        if (prediction.Header is { } p && reference.Header is { } r)
            return NiftiGeometry.Mismatch(p, r, "prediction", "reference");
        return null;
    }

    /// <summary>Instance ids of a map; a binary mask (values 0/1 or 0/255) is labelled by connected components, with a warning.</summary>
    static int[] InstanceIds(LabelMap map, string path, List<string> warnings)
    {
        if (!BinaryMasks.IsBinary(map.Values)) return map.Values;
        var ids = BinaryMasks.LabelComponents(map.Values, map.Shape);
        warnings.Add($"{path}: holds only 0 and one foreground value, so it is a binary mask, not an instance map; scored as its {ids.Max()} connected components");
        return ids;
    }

    static LabelMap DsbInstances(Dsb2018Dataset dsb, string id)
    {
        var (instances, shape, _, _) = dsb.LoadInstances(dsb.CaseIds.ToList().IndexOf(id));
        return new LabelMap(instances, shape, [1.0, 1.0], Header: null);
    }

    static int[] Foreground(int[] values) => values.Select(v => v != 0 ? 1 : 0).ToArray();

    /// <summary>A label file as read, before the binary 0/255 mapping.</summary>
    sealed record LabelMap(int[] Values, int[] Shape, double[] Spacing, NiftiHeader? Header)
    {
        public bool IsNifti => Header is not null;

        public static LabelMap Read(string path)
        {
            var file = ImageFile.ReadLabelFile(path);
            FiniteValues.RequireSpacing(file.Spacing, path);
            return new LabelMap(file.Labels, file.Shape, file.Spacing, file.Header);
        }

        /// <summary>Class indices: 0/255 masks become 0/1 by the paired-folder layout's rule.</summary>
        public int[] Classes(int binaryForeground, string path) => CasePairing.MapBinary(Values, binaryForeground, path);
    }
}
