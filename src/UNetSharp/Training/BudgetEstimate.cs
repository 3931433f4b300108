namespace UNetSharp.Training;

/// <summary>How a time-budgeted run fixed its step count.</summary>
/// <param name="Iterations">The fixed number of optimiser steps of the whole run.</param>
/// <param name="SecondsPerStep">Mean time of the timed steps.</param>
/// <param name="SecondsPerValidation">Time of one validation pass (0 without validation).</param>
/// <param name="ElapsedSeconds">Training time already spent when the count was fixed.</param>
/// <param name="BudgetSeconds">The run's time budget.</param>
public sealed record BudgetEstimate(long Iterations, double SecondsPerStep, double SecondsPerValidation, double ElapsedSeconds, double BudgetSeconds);
