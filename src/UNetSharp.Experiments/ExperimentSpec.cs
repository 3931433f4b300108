using Family = UNetSharp.Models.Topology.Architectures;
using UNetSharp.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Experiments;

/// <summary>One data set of an experiment: a name for tables and folders, and the run settings every training on it shares
/// (its <see cref="RunSettings.Data"/> is the data; architecture, seed and budget are the experiment's).</summary>
public sealed record ExperimentDataset(string Name, RunSettings Settings)
{
    /// <summary>Also score the UNet# authors' DSB 2018 protocol (96×96, IoU pooled per batch); 2D data only.</summary>
    public bool PaperProtocol { get; init; }
}

/// <summary>
/// An experiment: every architecture × data set × seed trained with one equal step budget into its own run folder under
/// <see cref="OutputDirectory"/>, each evaluated at every pruned depth on the same validation cases (the split's seed is the
/// data set's data seed, the same for every run; <see cref="Seeds"/> seed the weights and patch order).
/// </summary>
public sealed record ExperimentSpec
{
    public required string OutputDirectory { get; init; }
    public required IReadOnlyList<ExperimentDataset> Datasets { get; init; }
    public required IReadOnlyList<string> Architectures { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Optimiser steps of every run: the equal budget (fair on a shared machine). Null with a <see cref="TimeBudgetSeconds"/>.</summary>
    public long? Iterations { get; init; }

    /// <summary>Wall-clock budget of every run's training loop instead of <see cref="Iterations"/>: each run measures its first
    /// steps and fixes the steps that fit (saved in its config.json), so runs differ in steps, and a loaded machine gets fewer.</summary>
    public double? TimeBudgetSeconds { get; init; }

    /// <summary>"100 optimiser steps per run" or "a wall-clock budget of 600 s per run".</summary>
    public string BudgetText => Iterations is long n ? $"{n} optimiser steps per run" : $"a wall-clock budget of {TimeBudgetSeconds} s per run (steps fixed per run after its first steps)";

    /// <summary>Pruned depths to evaluate (null: every depth a network has).</summary>
    public IReadOnlyList<int>? Depths { get; init; }

    /// <summary>Torch threads of every run (null: the run's own setting); not part of the comparison, so it may change on resume.</summary>
    public int? Threads { get; init; }

    /// <summary>The architecture the others are tested against (Wilcoxon per case).</summary>
    public string Reference { get; init; } = "unet#";

    public void Validate()
    {
        if (Datasets.Count == 0) throw new ConfigurationException("an experiment needs at least one data set ('datasets')");
        if (Architectures.Count == 0) throw new ConfigurationException("an experiment needs at least one architecture ('architectures')");
        if (Seeds.Count == 0) throw new ConfigurationException("an experiment needs at least one seed ('seeds')");
        if ((Iterations is null) == (TimeBudgetSeconds is null))
            throw new ConfigurationException("an experiment needs one budget: 'iterations' (steps, the fair one) or 'time_budget' (wall clock), not both or neither");
        if (Iterations < 1) throw new ConfigurationException($"'iterations' must be at least 1, got {Iterations}");
        if (TimeBudgetSeconds is double t && !(double.IsFinite(t) && t > 0)) throw new ConfigurationException($"'time_budget' must be a positive number of seconds, got {t}");
        if (Threads is < 1) throw new ConfigurationException($"'threads' must be at least 1, got {Threads}");
        foreach (var a in Architectures)
            if (!Family.Names.Contains(Family.Normalise(a)))
                throw new ConfigurationException($"'architectures': unknown architecture '{a}'; choose from {string.Join(", ", Family.Names)}");
        Duplicates(Architectures.Select(Family.Normalise), "architectures");
        Duplicates(Seeds.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)), "seeds");
        Duplicates(Datasets.Select(d => d.Name), "datasets");
        foreach (var d in Datasets)
        {
            if (d.Name.Length == 0 || d.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || d.Name is "." or "..")
                throw new ConfigurationException($"'datasets': '{d.Name}' cannot name a folder");
            if (!Directory.Exists(d.Settings.Data)) throw new DataFormatException(d.Settings.Data, $"data folder of data set '{d.Name}' not found");
        }
        if (Depths?.FirstOrDefault(x => x < 1) is int bad) throw new ConfigurationException($"'depths' must be 1 or more, got {bad}");
    }

    static void Duplicates(IEnumerable<string> values, string key)
    {
        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } g) throw new ConfigurationException($"'{key}' lists '{g.Key}' twice");
    }

    /// <summary>The run folder of one training: OUT/runs/&lt;data set&gt;/&lt;architecture&gt;/seed&lt;n&gt; (architecture names made folder-safe).</summary>
    public string RunFolder(string dataset, string architecture, long seed) =>
        Path.Combine(OutputDirectory, "runs", dataset, FolderName(architecture), $"seed{seed}");

    /// <summary>unet# → unetsharp, unet++ → unetpp, unet3+ → unet3p.</summary>
    public static string FolderName(string architecture) =>
        Family.Normalise(architecture).Replace("#", "sharp").Replace("++", "pp").Replace("+", "p");

    /// <summary>The settings of one run of the experiment.</summary>
    public RunSettings SettingsFor(ExperimentDataset dataset, string architecture, long seed) => dataset.Settings with
    {
        Network = dataset.Settings.Network with { Architecture = Family.Normalise(architecture) },
        Optimisation = dataset.Settings.Optimisation with
        {
            Seed = seed, Iterations = Iterations, TimeBudget = TimeBudgetSeconds, Threads = Threads ?? dataset.Settings.Optimisation.Threads,
        },
        Out = RunFolder(dataset.Name, architecture, seed),
    };
}
