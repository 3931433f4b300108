namespace UNetSharp.Planning;

/// <summary>
/// What a run will cost, measured before training on this machine: a few optimiser steps of the planned network at the
/// planned batch and patch (after untimed warm-up steps), and the forward pass of one tile for validation. Saved in
/// plan.json (<c>cost_estimate</c>) and printed before the first step, so a 14-hour CPU run is known as such at once.
/// </summary>
/// <param name="SecondsPerStep">Mean time of the timed optimiser steps.</param>
/// <param name="TimedSteps">How many steps that mean is over (after the untimed warm-up steps).</param>
/// <param name="Steps">Optimiser steps the run will take (epochs × batches per epoch, or iterations).</param>
/// <param name="SecondsPerValidation">One validation pass: tiles over the validation cases × the time of one tile.</param>
/// <param name="Validations">Validation passes during training.</param>
/// <param name="FinalEvaluationSeconds">The evaluation of every pruned depth at the end (at most one pass per depth).</param>
/// <param name="TotalSeconds">Steps, validations and the final evaluation; for a time-budgeted run the budget plus that evaluation.</param>
/// <param name="Threads">Torch threads the steps ran on.</param>
public sealed record CostEstimate(double SecondsPerStep, int TimedSteps, long Steps, double SecondsPerValidation, int Validations,
    double FinalEvaluationSeconds, double TotalSeconds, int Threads)
{
    /// <summary>A run estimated over this is told how to shorten it.</summary>
    public const double LongRunSeconds = 3600;
}
