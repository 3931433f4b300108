using System.Text.Json.Serialization;
using UNetSharp.Data;
using UNetSharp.Data.Preprocessing;

namespace UNetSharp.Planning;

/// <summary>How intensities are normalised, per modality (nnU-Net's rules).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NormalizationKind>))]
public enum NormalizationKind
{
    /// <summary>Microscopy/EM/photographs: min–max of each case to [0, 1].</summary>
    UnitRange,

    /// <summary>MRI: z-score within the non-zero (body) region of each case.</summary>
    ZScore,

    /// <summary>CT: clip to the data set's 0.5–99.5 foreground percentiles, then z-score with the data set's foreground mean/std.</summary>
    Ct,

    /// <summary>Intensities used as they are (nnU-Net's noNorm): chosen by the planner for MRI channels that are already
    /// z-scored inside the body (each sampled case's non-zero voxels have mean ≈ 0 and sd ≈ 1), or set in the config.</summary>
    None,
}

/// <summary>One channel's normalisation with the data-set-level statistics it needs; saved in plan.json.</summary>
public sealed record ChannelNormalization(NormalizationKind Kind, float Lower = 0, float Upper = 0, double Mean = 0, double Std = 1)
{
    public IChannelNormalization Build() => Kind switch
    {
        NormalizationKind.Ct => new CtNormalization(Lower, Upper, Mean, Std),
        NormalizationKind.ZScore => new ZScoreNormalization(withinNonZeroMask: true),
        NormalizationKind.None => new NoNormalization(),
        _ => new UnitRangeNormalization(),
    };
}

/// <summary>Applies a plan's per-channel normalisations (used identically at training and prediction time).</summary>
public static class NormalizationScheme
{
    public static SegmentationCase Apply(SegmentationCase c, IReadOnlyList<ChannelNormalization> channels) =>
        CaseNormalizer.Normalize(c, channels.Select(n => n.Build()).ToList());

    /// <summary>Picks the normalisation for a modality name as data sets spell it ("CT", "MRI", "T1", "FLAIR", "EM", ...).</summary>
    public static NormalizationKind ForModality(string? modality)
    {
        string m = (modality ?? "").Trim().ToUpperInvariant();
        if (m == "CT") return NormalizationKind.Ct;
        if (m.Contains("MR") || m.StartsWith('T') && m.Length <= 4 || m.Contains("FLAIR") || m.Contains("ADC") || m.Contains("DWI")) return NormalizationKind.ZScore;
        return NormalizationKind.UnitRange;
    }
}

/// <summary>Leaves a channel as it is (nnU-Net's noNorm), for data already normalised by their provider.</summary>
public sealed class NoNormalization : IChannelNormalization
{
    public void Apply(Span<float> channel) { }
}
