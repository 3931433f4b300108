namespace UNetSharp.Data.Sampling;

/// <summary>
/// A patch cut from a case: image [C, (D,) H, W] and label [(D,) H, W] in C-order, with the start of the patch
/// in case coordinates (negative where the case was padded) and whether it was forced onto foreground.
/// </summary>
public sealed record Patch(string CaseId, float[] Image, int Channels, int[] Label, int[] Start, bool ForcedForeground);

/// <summary>Value given to image voxels of a patch that lie outside the case (labels always get 0).</summary>
public enum ImagePadding
{
    Zero,
    /// <summary>Per-channel minimum of the case, e.g. air in un-normalised CT.</summary>
    Minimum,
}
