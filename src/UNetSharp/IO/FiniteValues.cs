namespace UNetSharp.IO;

/// <summary>
/// The project's policy on non-finite input: refused, never repaired. One NaN voxel turns a z-score normalisation
/// (and so the whole prediction) into NaN, which argmax reads as background: an empty segmentation with exit 0.
/// Replacing such values would silently change the result too, so train, predict and evaluate refuse the file,
/// naming it with the count and the first voxel. Values beyond float32's range (float64 data, scl_slope scaling)
/// become infinite on conversion and are refused the same way; so is a spacing that is zero, negative or not finite.
/// </summary>
public static class FiniteValues
{
    /// <summary>Throws <see cref="DataFormatException"/> naming <paramref name="path"/> when any value is NaN or infinite.</summary>
    public static void Require(ReadOnlySpan<float> values, string path, string what = "intensity")
    {
        int first = IndexOfNonFinite(values);
        if (first < 0) return;
        long nan = 0, infinite = 0;
        for (int i = first; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) nan++;
            else if (float.IsInfinity(values[i])) infinite++;
        }
        throw new DataFormatException(path, $"{nan} NaN and {infinite} infinite {what} values (first at voxel {first}; infinite includes values beyond float32 range); " +
            "non-finite input is refused rather than guessed at");
    }

    static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Spacing must be positive and finite on every axis (it scales distances and resampling).</summary>
    public static void RequireSpacing(IReadOnlyList<double> spacing, string path)
    {
        for (int a = 0; a < spacing.Count; a++)
            if (!(spacing[a] > 0) || !double.IsFinite(spacing[a]))
                throw new DataFormatException(path, $"spacing [{string.Join(",", spacing.Select(s => s.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}] " +
                    $"is not positive and finite on axis {a}");
    }
}
