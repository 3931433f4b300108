using System.Globalization;
using UNetSharp.Inference;

namespace UNetSharp.Prediction;

/// <summary>
/// One part of a batch split over several processes: shard <see cref="Index"/> of <see cref="Count"/>, 0-based (as
/// nnU-Net's part_id/num_parts and Kubernetes' JOB_COMPLETION_INDEX). The inputs, sorted by name, are dealt round-robin:
/// input k belongs to shard k mod Count, so every input is predicted by exactly one shard, whatever the machines.
/// </summary>
public sealed record PredictionShard
{
    public PredictionShard(int index, int count)
    {
        if (count < 1) throw new ConfigurationException($"shard count must be at least 1, got {count}");
        if (count > MaxCount) throw new ConfigurationException($"shard count {count} is more than the {MaxCount:N0} shards a job may have (every shard plans every shard's summary)");
        if (index < 0 || index >= count)
            throw new ConfigurationException($"shard {index}/{count}: the index is 0-based and must be below the count (0/{count} .. {count - 1}/{count})");
        Index = index; Count = count;
    }

    /// <summary>Most shards a job may have: Kubernetes' limit on an Indexed Job's completions; every shard lists every
    /// shard's summary file, so an absurd count would be an allocation, not a job.</summary>
    public const int MaxCount = 100_000;

    public int Index { get; }
    public int Count { get; }

    /// <summary>Slurm job arrays: task id, count, min (and step) of the array.</summary>
    public const string SlurmTaskId = "SLURM_ARRAY_TASK_ID", SlurmTaskCount = "SLURM_ARRAY_TASK_COUNT", SlurmTaskMin = "SLURM_ARRAY_TASK_MIN", SlurmTaskStep = "SLURM_ARRAY_TASK_STEP";

    /// <summary>Kubernetes Indexed Jobs: the pod's completion index (0-based).</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>The shard count beside <see cref="KubernetesIndex"/> (Kubernetes does not expose the job's completions to the pod).</summary>
    public const string CountVariable = "UNETSHARP_SHARD_COUNT";

    /// <summary>"i/n", 0-based; anything else (3/2, 0/0, -1/2, 1/2/3, a/b) is refused.</summary>
    public static PredictionShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryInt(parts[0], out int index) || !TryInt(parts[1], out int count))
            throw new ConfigurationException($"shard '{text}': expected INDEX/COUNT with a 0-based index, e.g. 0/4 .. 3/4");
        if (count < 1) throw new ConfigurationException($"shard '{text}': the count must be at least 1");
        if (index >= count) throw new ConfigurationException($"shard '{text}': the index is 0-based and must be below the count (0/{count} .. {count - 1}/{count})");
        if (count > MaxCount) throw new ConfigurationException($"shard '{text}': the count must be at most {MaxCount:N0}");
        return new PredictionShard(index, count);
    }

    /// <summary>
    /// The shard of this process from the scheduler's environment: a Slurm array task (index = (task id − array min) /
    /// step, count = the array's task count), else a Kubernetes Indexed Job pod (index = completion index, count from
    /// <see cref="CountVariable"/>). Neither, or values that do not make a shard, is refused naming the variables.
    /// </summary>
    public static PredictionShard FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name)!.Trim();
        int Read(string name, string value) => TryInt(value, out int v) ? v
            : throw new ConfigurationException($"environment variable {name}='{value}' is not a non-negative whole number");

        if (Get(SlurmTaskId) is { } id)
        {
            string count = Get(SlurmTaskCount) ?? throw new ConfigurationException($"{SlurmTaskId} is set but {SlurmTaskCount} is not (run inside a Slurm job array)");
            int task = Read(SlurmTaskId, id), n = Read(SlurmTaskCount, count);
            int min = Get(SlurmTaskMin) is { } m ? Read(SlurmTaskMin, m) : 0, step = Get(SlurmTaskStep) is { } s ? Math.Max(1, Read(SlurmTaskStep, s)) : 1;
            if (task < min || (task - min) % step != 0)
                throw new ConfigurationException($"Slurm array task {task} is not min {min} + a multiple of step {step}");
            return Checked((task - min) / step, n, $"{SlurmTaskId}={task}, {SlurmTaskMin}={min}, {SlurmTaskCount}={n}");
        }
        if (Get(KubernetesIndex) is { } k)
        {
            string count = Get(CountVariable) ?? throw new ConfigurationException($"{KubernetesIndex} is set but {CountVariable} is not (set it to the Indexed Job's completions)");
            int index = Read(KubernetesIndex, k), n = Read(CountVariable, count);
            return Checked(index, n, $"{KubernetesIndex}={index}, {CountVariable}={n}");
        }
        throw new ConfigurationException($"automatic shard: neither a Slurm array ({SlurmTaskId}, {SlurmTaskCount}) nor a Kubernetes Indexed Job ({KubernetesIndex}, {CountVariable}) is in the environment");
    }

    static PredictionShard Checked(int index, int count, string source)
    {
        if (count < 1 || index >= count) throw new ConfigurationException($"{source} does not name a shard: the index must be below the count");
        if (count > MaxCount) throw new ConfigurationException($"{source}: the shard count must be at most {MaxCount:N0}");
        return new PredictionShard(index, count);
    }

    static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>This shard's part of <paramref name="sorted"/> (round-robin, order kept).</summary>
    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> sorted) => sorted.Where((_, k) => k % Count == Index).ToList();

    /// <summary>"2/4" (0-based).</summary>
    public override string ToString() => $"{Index}/{Count}";
}
