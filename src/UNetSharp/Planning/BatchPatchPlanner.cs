using UNetSharp.Models;

namespace UNetSharp.Planning;

/// <summary>
/// nnU-Net's rule for batch and patch size under a memory budget, with <see cref="TrainingMemory"/> as the estimate: start
/// from the median-shape patch; while the step at the minimum batch (2) is over the budget, shrink the axis whose
/// patch/median ratio is largest by one size multiple (every axis stays a multiple of the network's strides); then the
/// batch is the largest that fits, clamped to [2, cap], where the cap is the CPU cap of the dimensionality
/// (<see cref="MaxBatch2D"/>, <see cref="MaxBatch3D"/>) and nnU-Net's 5 % of the data set's voxels per batch. A batch or
/// patch the user gave is kept; when it is over the budget the plan is refused if the budget was given too, otherwise it
/// carries a warning note.
/// </summary>
public static class BatchPatchPlanner
{
    /// <summary>
    /// Batch caps: on a CPU a step's time grows linearly with the batch while the samples per second stay about the same,
    /// so a larger batch only means fewer optimiser steps in the same time; these are the batches the planner used before
    /// it had a budget (the budget lowers them, never raises them).
    /// </summary>
    public const int MaxBatch2D = 8, MaxBatch3D = 2;

    /// <summary>nnU-Net's minimum batch.</summary>
    public const int MinBatch = 2;

    /// <summary>nnU-Net caps one batch at 5 % of the data set's voxels.</summary>
    public const double DatasetFraction = 0.05;

    /// <param name="network">The planned network.</param>
    /// <param name="median">Median case shape at the planned spacing (the patch/median ratios).</param>
    /// <param name="start">The patch planned from the median shape (a multiple of the network's size multiples per axis).</param>
    /// <param name="givenPatch">The patch the user set, or null.</param>
    /// <param name="givenBatch">The batch the user set, or null.</param>
    /// <param name="budget">The memory budget in bytes; null: <see cref="PlanOptions.DefaultMemoryBudget"/>.</param>
    /// <param name="datasetVoxels">Voxels of the whole data set at the planned spacing (for the 5 % cap).</param>
    public static (int[] Patch, int Batch, MemoryPlan Memory) Choose(NetworkConfig network, IReadOnlyList<int> median, IReadOnlyList<int> start,
        IReadOnlyList<int>? givenPatch, int? givenBatch, long? budget, long datasetVoxels)
    {
        long limit = budget ?? PlanOptions.DefaultMemoryBudget;
        if (limit <= 0) throw new ConfigurationException($"memory budget must be positive, got {limit} bytes");
        bool budgetGiven = budget is not null;
        string budgetText = $"the memory budget {TrainingMemory.Format(limit)}{(budgetGiven ? "" : " (default)")}";
        long[] multiples = network.SizeMultiples;
        TrainingMemoryEstimate Estimate(IReadOnlyList<int> p, int b) => TrainingMemory.Estimate(network, p.Select(v => (long)v).ToArray(), b);
        bool Fits(IReadOnlyList<int> p, int b) => Estimate(p, b).TotalBytes <= limit;
        string Size(IEnumerable<int> p) => string.Join("x", p);

        var patch = (givenPatch ?? start).ToArray();
        var notes = new List<string>();
        if (givenPatch is not null) notes.Add($"patch {Size(patch)} given");
        else
        {
            int target = givenBatch ?? MinBatch;
            while (!Fits(patch, target))
            {
                var axes = Enumerable.Range(0, patch.Length).Where(a => patch[a] - multiples[a] >= multiples[a]).ToList();
                if (axes.Count == 0) break;
                int axis = axes.OrderByDescending(a => patch[a] / (double)Math.Max(1, median[a])).ThenBy(a => a).First();
                patch[axis] -= (int)multiples[axis];
            }
            if (!Fits(patch, target) && givenBatch is int b)
            {
                // the given batch does not fit even the smallest patch
                if (budgetGiven)
                    throw new ConfigurationException($"batch size {b} does not fit {budgetText}: even the smallest patch {Size(patch)} needs {TrainingMemory.Format(Estimate(patch, b).TotalBytes)}; lower the batch size or raise the memory budget");
                patch = start.ToArray();
                notes.Add($"warning: batch size {b} is over {budgetText} at any patch, so patch {Size(patch)} from the median shape is kept");
            }
            else notes.Add(patch.SequenceEqual(start) ? $"patch {Size(patch)} from the median shape {Size(median)}"
                : $"patch {Size(patch)} shrunk from {Size(start)} (largest patch/median ratio first, median {Size(median)}) to fit {budgetText} at batch {target}");
        }

        long patchVoxels = patch.Aggregate(1L, (x, y) => x * y);
        int dimsCap = network.Dimensions == 2 ? MaxBatch2D : MaxBatch3D;
        long dataCap = (long)Math.Round(DatasetFraction * datasetVoxels / patchVoxels);
        int cap = (int)Math.Max(MinBatch, Math.Min(dimsCap, dataCap));
        int batch;
        if (givenBatch is int given)
        {
            batch = given;
            notes.Add($"batch {given} given");
            if (!Fits(patch, batch))
            {
                string need = TrainingMemory.Format(Estimate(patch, batch).TotalBytes);
                if (budgetGiven)
                    throw new ConfigurationException($"batch size {batch} with patch size {Size(patch)} needs {need}, over {budgetText}; lower the batch or patch size or raise the memory budget");
                if (!notes.Any(n => n.StartsWith("warning", StringComparison.Ordinal))) notes.Add($"warning: batch {batch} at patch {Size(patch)} needs {need}, over {budgetText}");
            }
        }
        else
        {
            batch = Enumerable.Range(MinBatch, Math.Max(0, cap - MinBatch + 1)).Reverse().FirstOrDefault(b => Fits(patch, b));
            string capText = $"cap {cap}: {dimsCap} in {network.Dimensions}D, {Math.Max(0, dataCap)} by 5 % of the data set's voxels, at least {MinBatch}";
            if (batch > 0) notes.Add($"batch {batch}: the largest within {budgetText} ({capText})");
            else if (Fits(patch, 1))
            {
                batch = 1;
                notes.Add($"batch 1: batch {MinBatch} is over {budgetText} at the smallest patch");
            }
            else if (givenPatch is null || budgetGiven)
                throw new ConfigurationException(givenPatch is null
                    ? $"{budgetText} is too small: the smallest patch {Size(patch)} needs {TrainingMemory.Format(Estimate(patch, 1).TotalBytes)} at batch 1; raise the memory budget or use smaller widths or depth"
                    : $"patch size {Size(patch)} needs {TrainingMemory.Format(Estimate(patch, 1).TotalBytes)} at batch 1, over {budgetText}; lower the patch size or raise the memory budget");
            else
            {
                batch = MinBatch;
                notes.Add($"warning: batch {MinBatch} at patch {Size(patch)} needs {TrainingMemory.Format(Estimate(patch, MinBatch).TotalBytes)}, over {budgetText}");
            }
        }

        var estimate = Estimate(patch, batch);
        var memory = new MemoryPlan
        {
            BudgetBytes = limit, BudgetGiven = budgetGiven, FixedBytes = estimate.FixedBytes, BytesPerSample = estimate.BytesPerSample,
            BatchBytes = estimate.TotalBytes, Note = string.Join("; ", notes.OrderBy(n => n.StartsWith("warning", StringComparison.Ordinal))) + $" (estimate {TrainingMemory.Format(estimate.TotalBytes)})",
        };
        return (patch, batch, memory);
    }
}
