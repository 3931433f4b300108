using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.Planning;
using UNetSharp.Settings;
using UNetSharp.Training;

namespace UNetSharp.Pipeline;

/// <summary>
/// A training run: its settings (<see cref="RunSettings"/>, saved as config.json) and how this process runs it (resume,
/// logging, the curve plotter), which are not settings of the run and are never saved.
/// </summary>
public sealed record TrainRunOptions
{
    public required RunSettings Settings { get; init; }

    /// <summary>Continue the run folder's last.ckpt instead of starting afresh.</summary>
    public bool Resume { get; init; }

    /// <summary>Where the run reports what it does (planning, loading, evaluating, settings changed on resume); silent by default.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Draws curves.png at the end (e.g. UNetSharp.Reporting's <c>TrainingCurves.Plotter</c>); null: no picture, history.csv only.</summary>
    public ICurvePlotter? CurvePlotter { get; init; }

    public string DataDirectory => Settings.Data;
    public string RunDirectory => Settings.Out;

    /// <summary>The planner's options, built from the settings.</summary>
    public PlanOptions Plan => Settings.PlanOptions();

    /// <summary>The trainer's settings, built from the settings.</summary>
    public TrainingConfig Training => Settings.TrainingConfig();

    /// <summary>The same run with changed settings.</summary>
    public TrainRunOptions With(Func<RunSettings, RunSettings> change) => this with { Settings = change(Settings) };

    public void Validate() => Settings.Validate(CrossValidation.DefaultFolds);
}
