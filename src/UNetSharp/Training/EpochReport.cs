namespace UNetSharp.Training;

/// <summary>What the trainer reports after each epoch (for the CLI's progress display).</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Epochs in the whole run.</param>
/// <param name="Iteration">Optimiser steps done so far.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="TrainLoss">Mean total loss over the epoch's batches.</param>
/// <param name="LossParts">Mean of each loss part (see SegmentationLoss).</param>
/// <param name="Validation">Validation result, when this epoch validated.</param>
/// <param name="IsBest">This epoch set a new best validation score (best checkpoint written).</param>
/// <param name="EpochTime">Wall time of this epoch (training, validation and checkpointing).</param>
/// <param name="Eta">Estimated time to the end of the run.</param>
/// <param name="Stopping">Early stopping ends the run after this epoch.</param>
public sealed record EpochReport(
    int Epoch, int Epochs, long Iteration, double LearningRate, double TrainLoss, IReadOnlyDictionary<string, double> LossParts,
    ValidationResult? Validation, bool IsBest, TimeSpan EpochTime, TimeSpan Eta, bool Stopping);
