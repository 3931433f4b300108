namespace UNetSharp.Data.Layouts;

/// <summary>
/// Loads every case of a data set once and reports what a user must know before training: pairs complete, image and label
/// on the same grid, label values within the declared classes, intensity range, NaN/Inf, shapes and spacings. A broken
/// case becomes a problem in the summary rather than an exception.
/// </summary>
public static class DatasetCheck
{
    public static DatasetCheckSummary Run(string dir, LayoutOptions? options = null) => Run(DatasetLayouts.Open(dir, options));

    public static DatasetCheckSummary Run(SegmentationDataset dataset)
    {
        var problems = new List<CaseProblem>();
        var shapes = new List<int[]>();
        var spacings = new List<double[]>();
        var dims = new SortedSet<int>();
        var channels = new SortedSet<int>();
        var classVoxels = new SortedDictionary<int, long>();
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long finite = 0, nan = 0, inf = 0;
        int loaded = 0;

        SortedDictionary<int, string> declared;
        int? declaredChannels = null;
        try
        {
            declared = new SortedDictionary<int, string>(dataset.Metadata.Classes.ToDictionary());
            if (dataset.Metadata.Modalities.Count > 0) declaredChannels = dataset.Metadata.Channels;
        }
        catch (DataFormatException) { declared = []; } // the first case is broken: it is reported below
        int? firstDims = null, firstChannels = null;

        for (int i = 0; i < dataset.Count; i++)
        {
            string id = dataset.CaseIds[i];
            SegmentationCase c;
            try { c = dataset.Load(i); }
            catch (DataFormatException e) { problems.Add(new CaseProblem(id, e.Message)); continue; }
            loaded++;
            if (dataset is Dsb2018Dataset dsb) problems.AddRange(dsb.MaskProblems(i).Select(p => new CaseProblem(id, p)));
            firstDims ??= c.Dimensions;
            firstChannels ??= c.Channels;
            dims.Add(c.Dimensions);

            var (imageFile, labelFile) = dataset.CaseFilePaths(i);
            string imageName = imageFile ?? id, labelName = labelFile ?? id;
            long caseNan = 0, caseInf = 0;
            foreach (float v in c.Image)
            {
                if (float.IsNaN(v)) { caseNan++; continue; }
                if (float.IsInfinity(v)) { caseInf++; continue; }
                if (v < min) min = v;
                if (v > max) max = v;
                sum += v; finite++;
            }
            nan += caseNan; inf += caseInf;
            if (caseNan + caseInf > 0) problems.Add(new CaseProblem(id, $"{imageName}: {caseNan} NaN and {caseInf} infinite intensity values"));
            if (c.Spacing.Any(s => !(s > 0) || !double.IsFinite(s))) problems.Add(new CaseProblem(id, $"{imageName}: spacing [{string.Join(",", c.Spacing)}] is not positive"));
            int expectedChannels = declaredChannels ?? firstChannels.Value;
            if (c.Channels != expectedChannels)
                problems.Add(new CaseProblem(id, $"{imageName}: {c.Channels} channel(s); the data set {(declaredChannels is null ? "starts with" : "declares")} {expectedChannels}"));
            if (c.Dimensions != firstDims)
                problems.Add(new CaseProblem(id, $"{imageName}: {c.Dimensions}D image; the first case is {firstDims}D"));

            shapes.Add(c.Shape); spacings.Add(c.Spacing); channels.Add(c.Channels);
            if (c.Label is null) { problems.Add(new CaseProblem(id, $"{imageName}: no label")); continue; }
            var counts = new Dictionary<int, long>();
            foreach (int v in c.Label) counts[v] = counts.GetValueOrDefault(v) + 1;
            foreach (var (value, count) in counts) classVoxels[value] = classVoxels.GetValueOrDefault(value) + count;
            var undeclared = counts.Keys.Where(v => declared.Count > 0 ? !declared.ContainsKey(v) : v < 0).Order().ToList();
            if (undeclared.Count > 0)
                problems.Add(new CaseProblem(id, declared.Count > 0
                    ? $"{labelName}: label value{(undeclared.Count > 1 ? "s" : "")} {string.Join(", ", undeclared)} {(undeclared.Count > 1 ? "are" : "is")} not declared (declared: {string.Join(", ", declared.Keys)})"
                    : $"{labelName}: negative label value{(undeclared.Count > 1 ? "s" : "")} {string.Join(", ", undeclared)}"));
        }
        if (dims.Count > 1) problems.Add(new CaseProblem("*", $"cases mix {string.Join(" and ", dims.Select(d => d + "D"))} images"));
        if (channels.Count > 1) problems.Add(new CaseProblem("*", $"cases mix {string.Join(", ", channels)} channels"));
        if (dataset.Count == 0) problems.Add(new CaseProblem("*", "no cases found"));
        // a run trains on one part and validates on another: one case cannot be split
        else if (dataset.Count == 1) problems.Add(new CaseProblem("*", "only 1 case: training needs at least 2 (one to train on, one to validate on)"));

        bool uniform = dims.Count == 1;
        return new DatasetCheckSummary
        {
            Root = dataset.Root,
            Layout = System.Text.Json.JsonSerializer.Serialize(dataset.Kind, UNetSharp.IO.ProjectJson.Options).Trim('"'), // "msd", as every JSON file writes enums
            Cases = dataset.Count,
            LoadedCases = loaded,
            Dimensions = [.. dims],
            Channels = [.. channels],
            Shape = uniform ? Stats(shapes.Select(s => s.Select(v => (double)v).ToArray()).ToList()) : null,
            Spacing = uniform ? Stats(spacings) : null,
            ClassVoxels = classVoxels,
            DeclaredClasses = declared,
            Intensity = finite > 0 ? new IntensityStats(min, max, sum / finite) : null,
            NanVoxels = nan,
            InfiniteVoxels = inf,
            Problems = problems,
        };
    }

    /// <summary>
    /// The check training runs before it writes anything: every case loads, with finite intensities, a valid spacing, the
    /// data set's channels and dimensions, and only declared label values. Throws naming the first problem's file and
    /// the number of problems; returns the summary (its ClassVoxels keys are every label value of every case).
    /// </summary>
    public static DatasetCheckSummary Require(SegmentationDataset dataset)
    {
        var summary = Run(dataset);
        if (summary.Ok) return summary;
        var first = summary.Problems[0];
        throw new DataFormatException(dataset.Root, $"{summary.Problems.Count} problem(s) found before training, nothing written; " +
            $"first: {(first.Case == "*" ? "" : first.Case + ": ")}{first.Problem}");
    }

    static AxisStats? Stats(List<double[]> rows)
    {
        if (rows.Count == 0) return null;
        int axes = rows[0].Length;
        double[] Axis(Func<double[], double> pick) => Enumerable.Range(0, axes).Select(a => pick(rows.Select(r => r[a]).Order().ToArray())).ToArray();
        return new AxisStats(Axis(v => v[0]), Axis(v => v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2), Axis(v => v[^1]));
    }
}
