using System.Globalization;
using System.Text;
using UNetSharp.IO;

namespace UNetSharp.Data.Layouts;

/// <summary>What <see cref="DatasetCheck"/> found; <see cref="ToJson"/> gives the machine-readable form ("cases": n, "class_voxels": {...}, ...).</summary>
public sealed class DatasetCheckSummary
{
    public required string Root { get; init; }
    public required string Layout { get; init; }
    /// <summary>Cases listed (including ones that failed to load).</summary>
    public required int Cases { get; init; }
    public required int LoadedCases { get; init; }
    /// <summary>Distinct spatial dimensionalities and channel counts seen (one value each in a consistent data set).</summary>
    public required int[] Dimensions { get; init; }
    public required int[] Channels { get; init; }
    /// <summary>Per spatial axis (slowest first), over loaded cases; null when cases differ in dimensionality or none loaded.</summary>
    public required AxisStats? Shape { get; init; }
    public required AxisStats? Spacing { get; init; }
    /// <summary>Voxel count per label value seen.</summary>
    public required SortedDictionary<int, long> ClassVoxels { get; init; }
    /// <summary>Classes declared by the data set (dataset.json or the layout's convention); empty when undeclared.</summary>
    public required SortedDictionary<int, string> DeclaredClasses { get; init; }
    /// <summary>Range and mean of finite intensities over all loaded cases and channels.</summary>
    public required IntensityStats? Intensity { get; init; }
    public required long NanVoxels { get; init; }
    public required long InfiniteVoxels { get; init; }
    public required IReadOnlyList<CaseProblem> Problems { get; init; }
    public bool Ok => Problems.Count == 0;

    /// <summary>The project's JSON style (snake_case keys).</summary>
    public string ToJson() => ProjectJson.Serialize(this);

    /// <summary>A few human-readable lines for the console.</summary>
    public string ToText()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"{Root}: {Layout} layout, {Cases} cases, {LoadedCases} loaded, {Dimensions.FirstOrDefault()}D, channels {string.Join("/", Channels)}");
        if (Shape is not null) s.AppendLine(c, $"shape min [{string.Join(",", Shape.Min)}] median [{string.Join(",", Shape.Median)}] max [{string.Join(",", Shape.Max)}]");
        if (Spacing is not null) s.AppendLine(c, $"spacing min [{string.Join(",", Spacing.Min.Select(v => v.ToString("G4", c)))}] median [{string.Join(",", Spacing.Median.Select(v => v.ToString("G4", c)))}] max [{string.Join(",", Spacing.Max.Select(v => v.ToString("G4", c)))}]");
        s.AppendLine(c, $"classes: {string.Join(", ", ClassVoxels.Select(kv => $"{kv.Key}{(DeclaredClasses.TryGetValue(kv.Key, out var n) ? $" ({n})" : "")}: {kv.Value} voxels"))}");
        if (Intensity is not null) s.AppendLine(c, $"intensity {Intensity.Min:G6} .. {Intensity.Max:G6}, mean {Intensity.Mean:G6}; NaN {NanVoxels}, Inf {InfiniteVoxels}");
        s.AppendLine(c, $"{Problems.Count} problem(s)");
        foreach (var p in Problems) s.AppendLine(c, $"  {p.Case}: {p.Problem}");
        return s.ToString();
    }
}

public sealed record CaseProblem(string Case, string Problem);

public sealed record AxisStats(double[] Min, double[] Median, double[] Max);

public sealed record IntensityStats(double Min, double Max, double Mean);
