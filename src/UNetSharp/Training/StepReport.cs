namespace UNetSharp.Training;

/// <summary>One optimiser step done (for a progress bar inside an epoch).</summary>
/// <param name="Epoch">1-based epoch the step belongs to.</param>
/// <param name="Epochs">Epochs in the whole run.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Iteration">Optimiser steps done so far in the run.</param>
/// <param name="MeanLoss">Mean total loss of the epoch's batches so far.</param>
public sealed record StepReport(int Epoch, int Epochs, int Batch, int Batches, long Iteration, double MeanLoss);
