namespace UNetSharp.Training;

/// <summary>
/// Where a run stands: everything besides the tensors (weights, optimiser moments, RNG) that a checkpoint needs to continue
/// exactly. Checkpoints are taken at epoch ends, so the loader position is "epoch <see cref="CompletedEpochs"/>, batch 0".
/// </summary>
public sealed class TrainingState
{
    /// <summary>Epochs finished (the next epoch to run, 0-based).</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimiser steps taken (the scheduler position).</summary>
    public long Iteration { get; set; }

    /// <summary>Batches per epoch of the training source when the run started; a resume with another source is refused.</summary>
    public int BatchesPerEpoch { get; set; }

    /// <summary>Best validation score so far (NaN: none yet) and its 1-based epoch (0: none).</summary>
    public double BestScore { get; set; } = double.NaN;
    public int BestEpoch { get; set; }

    /// <summary>Early stopping ended the run.</summary>
    public bool EarlyStopped { get; set; }

    /// <summary>Names of the loss parts logged per epoch.</summary>
    public List<string> PartNames { get; set; } = new();

    public List<HistoryRow> History { get; set; } = new();
}
