namespace UNetSharp.Evaluation;

/// <summary>Settings of <see cref="FolderEvaluation"/>.</summary>
public sealed record FolderEvaluationOptions
{
    /// <summary>Labels to score; null = every non-zero value found in the references.</summary>
    public IReadOnlyList<int>? Labels { get; init; }

    /// <summary>HD95/HD100/ASSD as well as overlap (off: they are null in the JSON, NaN in the CSV).</summary>
    public bool SurfaceDistances { get; init; } = true;

    /// <summary>In files holding only 0 and 255, the value that is class 1 (same rule as the paired-folder data layout).</summary>
    public int BinaryForeground { get; init; } = 255;

    /// <summary>Treat maps as instance label maps: PQ/AJI/DSB per case, and semantic metrics on foreground (any non-zero = 1).</summary>
    public bool Instances { get; init; }

    /// <summary>Score overlapping label regions instead of labels (BraTS: whole tumour, core, enhancing): region k is
    /// reported as "label" k + 1, its name in the summary's "regions".</summary>
    public UNetSharp.Metrics.LabelRegions? Regions { get; init; }

    /// <summary>Score only the predicted cases (nnU-Net's <c>-chill</c>): references without a prediction are skipped and
    /// counted, not listed as unmatched, so a subset of a reference folder scores complete.</summary>
    public bool AllowMissing { get; init; }

    /// <summary>Also write nnU-Net v2's summary.json keys (<see cref="NnUNetSummary"/>), so its scripts read our summary.json.</summary>
    public bool NnUNetSummary { get; init; }
}
