using UNetSharp.Labels;

namespace UNetSharp.Planning;

/// <summary>
/// Clean-ups chosen on cross-validation (nnU-Net's rule: on for a class only where they raised its mean CV Dice), saved in
/// plan.json and applied by `predict` unless told otherwise. Classes are class indices (1 = first foreground class).
/// Keep-largest runs before hole filling (a dropped island must not close a hole).
/// </summary>
public sealed record PostProcessingPlan
{
    /// <summary>Classes of which only the largest connected component is kept.</summary>
    public IReadOnlyList<int> KeepLargest { get; init; } = Array.Empty<int>();

    /// <summary>Classes whose enclosed background holes are filled.</summary>
    public IReadOnlyList<int> FillHoles { get; init; } = Array.Empty<int>();

    /// <summary>Where the choice came from, e.g. "5-fold cross-validation, 195 cases, depth L3".</summary>
    public string? ChosenOn { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => KeepLargest.Count == 0 && FillHoles.Count == 0;

    /// <summary>Applies the chosen clean-ups to a class-index label map in place; returns the voxels changed.</summary>
    public int Apply<T>(T[] labels, IReadOnlyList<int> shape) where T : struct, IEquatable<T>, IConvertible
    {
        int changed = 0;
        foreach (int c in KeepLargest) changed += KeepLargestOf(labels, shape, c);
        foreach (int c in FillHoles) changed += FillHolesOf(labels, shape, c);
        return changed;
    }

    /// <summary>Keeps the largest component of class <paramref name="cls"/> only (other classes untouched).</summary>
    public static int KeepLargestOf<T>(T[] labels, IReadOnlyList<int> shape, int cls) where T : struct, IEquatable<T>, IConvertible
    {
        var mask = Mask(labels, cls);
        LabelPostProcessing.KeepLargestComponent(mask, shape);
        int changed = 0;
        for (int i = 0; i < labels.Length; i++)
            if (mask[i] == 0 && labels[i].ToInt32(null) == cls) { labels[i] = default; changed++; }
        return changed;
    }

    /// <summary>Fills the background holes enclosed by class <paramref name="cls"/> (voxels of other classes untouched).</summary>
    public static int FillHolesOf<T>(T[] labels, IReadOnlyList<int> shape, int cls) where T : struct, IEquatable<T>, IConvertible
    {
        var mask = Mask(labels, cls);
        LabelPostProcessing.FillHoles(mask, shape);
        int changed = 0;
        T value = (T)Convert.ChangeType(cls, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < labels.Length; i++)
            if (mask[i] == 1 && labels[i].Equals(default)) { labels[i] = value; changed++; }
        return changed;
    }

    static byte[] Mask<T>(T[] labels, int cls) where T : struct, IConvertible
    {
        var mask = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++) if (labels[i].ToInt32(null) == cls) mask[i] = 1;
        return mask;
    }
}
