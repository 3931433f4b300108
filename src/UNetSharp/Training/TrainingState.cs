namespace UNetSharp.Training;

/// <summary>
/// Where a run stands: everything besides the tensors (weights, optimiser moments, RNG) that a checkpoint needs to continue
/// exactly. Checkpoints are taken at epoch ends (loader position "epoch <see cref="CompletedEpochs"/>, batch 0"), or, when a
/// run is interrupted, inside an epoch: then <see cref="Partial"/> says where.
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

    /// <summary>Wall time spent training up to this checkpoint, summed over every process that worked on the run.</summary>
    public double TrainingSeconds { get; set; }

    /// <summary>The unfinished epoch <see cref="CompletedEpochs"/> of an interrupted run (null at an epoch end).</summary>
    public PartialEpoch? Partial { get; set; }
}

/// <summary>How far an interrupted epoch got: its next batch and the running sums of its loss report.</summary>
public sealed class PartialEpoch
{
    /// <summary>Batches of the epoch already trained (the next batch, 0-based).</summary>
    public int Batch { get; set; }
    public double LossSum { get; set; }
    public double[] PartSums { get; set; } = [];
    public double LastRate { get; set; }

    /// <summary>Wall time of the epoch so far.</summary>
    public double Seconds { get; set; }
}
