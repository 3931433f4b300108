namespace UNetSharp.Inference;

/// <summary>How CGM presence probabilities gate segmentation probabilities (docs/UNET-SHARP.md §3).</summary>
public enum GatingMode
{
    /// <summary>No gating: the segmentation probabilities are used as they are.</summary>
    Off,

    /// <summary>p_seg × 1[p_cls ≥ τ]: a class the CGM calls absent is removed entirely.</summary>
    Hard,

    /// <summary>p_seg × p_cls: a doubtful presence lowers the probabilities smoothly.</summary>
    Soft,
}

/// <summary>
/// Where the presence decision is taken when an image is predicted in several tiles. A CGM looks at one tile
/// only (global max-pool over that tile), so its presence is a local decision.
/// </summary>
public enum PresenceAggregation
{
    /// <summary>
    /// One presence per image and class: the maximum over tiles of the tile presence probabilities (the CGM's
    /// global max-pool extended over the whole image), applied once to the blended map. Same result as a single
    /// pass when one tile covers the image, and an organ seen by any tile is kept everywhere. Default.
    /// </summary>
    ImageMax,

    /// <summary>
    /// Each tile's probabilities are gated by that tile's own presence before blending: a tile that does not see
    /// the organ suppresses its own false positives, at the cost of seams of lower probability where a tile that
    /// sees the organ overlaps one that does not.
    /// </summary>
    PerTile,
}

/// <summary>How the image is padded to the network's size multiple and to the tile size.</summary>
public enum TilePadding
{
    /// <summary>Constant value (default 0, i.e. the mean after z-score normalisation), as nnU-Net.</summary>
    Constant,

    /// <summary>Mirror the image at its border (no new intensities); falls back to edge replication on an axis
    /// shorter than the pad, where reflection is undefined.</summary>
    Reflect,
}
