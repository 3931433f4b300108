using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Pipeline;

/// <summary>
/// config.json: every setting of a training run, flat, one snake_case key per setting (the CLI's flags carry the same
/// names with dashes, so the file can be fed back as a config file). The defaults are not repeated here: each one is read
/// from the library type that owns it (<see cref="TrainRunOptions"/>, <see cref="PlanOptions"/>,
/// <see cref="TrainingConfig"/>, <see cref="LossOptions"/>, <see cref="LayoutOptions"/>).
/// </summary>
public sealed record RunConfiguration
{
    static readonly TrainRunOptions Default = new() { DataDirectory = "", RunDirectory = "" };

    [JsonPropertyName("data")] public string DataDirectory { get; init; } = "";
    [JsonPropertyName("out")] public string RunDirectory { get; init; } = "";

    // network and plan
    [JsonPropertyName("arch")] public string Architecture { get; init; } = Default.Plan.Architecture;
    /// <summary>2 or 3, null: the data's; 2 on volumes is the 2D configuration (slices).</summary>
    [JsonPropertyName("dims")] public int? Dimensions { get; init; } = Default.Plan.Dimensions;
    public int? Depth { get; init; } = Default.Plan.Depth;
    public IReadOnlyList<int>? Widths { get; init; } = Default.Plan.Widths;
    [JsonPropertyName("patch")] public IReadOnlyList<int>? PatchSize { get; init; } = Default.Plan.PatchSize;
    [JsonPropertyName("batch")] public int? BatchSize { get; init; } = Default.Plan.BatchSize;
    /// <summary>Bytes one training step may use (batch and patch are planned within it); null: the planner's default.</summary>
    public long? MemoryBudget { get; init; } = Default.Plan.MemoryBudget;
    public bool NoCgm { get; init; } = !Default.Plan.Cgm;
    public bool NoDeepSupervision { get; init; } = !Default.Plan.DeepSupervision;
    public NormKind? Norm { get; init; } = Default.Plan.Norm;
    public NormalizationKind? Normalization { get; init; } = Default.Plan.Normalization;
    public DatasetLayoutKind Layout { get; init; } = Default.Plan.Layout.Kind;
    public int BinaryForeground { get; init; } = Default.Plan.Layout.BinaryForeground;
    public bool Gray { get; init; } = Default.Plan.Layout.Gray;
    public int SampleCases { get; init; } = Default.Plan.SampleCases;
    public long MaxCaseVoxels { get; init; } = Default.Plan.MaxCaseVoxels;

    // task: instance segmentation trains on background / interior / border targets of the instance labels
    public bool Instances { get; init; } = Default.Plan.Instances is not null;
    public double BorderWidth { get; init; } = Default.Plan.Instances?.BorderWidth ?? UNetSharp.Instances.InstanceTargetSettings.DefaultBorderWidth;

    // optimisation
    public int Epochs { get; init; } = Default.Training.Epochs;
    public long? Iterations { get; init; } = Default.Training.MaxIterations;
    public int BatchesPerEpoch { get; init; } = Default.BatchesPerEpoch;
    public double ForegroundRatio { get; init; } = Default.ForegroundRatio;
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = Default.Training.LearningRate;
    [JsonPropertyName("min_lr")] public double MinLearningRate { get; init; } = Default.Training.MinLearningRate;
    public OptimizerKind Optimizer { get; init; } = Default.Training.Optimizer;
    public double Momentum { get; init; } = Default.Training.Momentum;
    public bool Nesterov { get; init; } = Default.Training.Nesterov;
    public ScheduleKind Schedule { get; init; } = Default.Training.Schedule;
    /// <summary>Seconds; once the run has fixed its step count, <see cref="Iterations"/> holds it.</summary>
    [JsonPropertyName("time_budget")] public double? TimeBudgetSeconds { get; init; } = Default.Training.TimeBudgetSeconds;
    public double WeightDecay { get; init; } = Default.Training.WeightDecay;
    [JsonPropertyName("warmup")] public double WarmupEpochs { get; init; } = Default.Training.WarmupEpochs;
    public int ValidateEvery { get; init; } = Default.Training.ValidateEvery;
    public int? Patience { get; init; } = Default.Training.Patience;
    [JsonPropertyName("clip")] public double? GradientClipNorm { get; init; } = Default.Training.GradientClipNorm;
    public long Seed { get; init; } = Default.Training.Seed;
    public HeadInitKind HeadInit { get; init; } = Default.Training.HeadInit;
    public int? Threads { get; init; } = Default.Training.Threads;

    // loss
    public LossKind Loss { get; init; } = Default.Training.Loss.Kind;
    [JsonPropertyName("ds_weights")] public DeepSupervisionWeighting DeepSupervisionWeights { get; init; } = Default.Training.Loss.Weighting;
    public double CgmWeight { get; init; } = Default.Training.Loss.CgmWeight;
    public bool BatchDice { get; init; } = Default.Training.Loss.BatchDice;
    public IReadOnlyList<double>? ClassWeights { get; init; } = Default.Training.Loss.ClassWeights;
    public double FocalAlpha { get; init; } = Default.Training.Loss.FocalAlpha;
    public double FocalGamma { get; init; } = Default.Training.Loss.FocalGamma;

    // data
    [JsonPropertyName("augment")] public AugmentationPreset Augmentation { get; init; } = Default.Augmentation;
    [JsonPropertyName("val_fraction")] public double ValidationFraction { get; init; } = Default.ValidationFraction;
    public int? MaxCases { get; init; } = Default.MaxCases;
    public IReadOnlyList<string>? ExcludeCases { get; init; } = Default.ExcludeCases;
    public int DataSeed { get; init; } = Default.DataSeed;
    public int? Folds { get; init; } = Default.Folds;
    public int? Fold { get; init; } = Default.Fold;

    // report
    public int Overlays { get; init; } = Default.Overlays;
    public bool SurfaceDistances { get; init; } = Default.SurfaceDistances;

    /// <summary>Every key config.json may hold, in file order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ProjectJson.Options.GetTypeInfo(typeof(RunConfiguration)).Properties.Select(p => p.Name).ToArray();

    /// <summary>The options a run with this configuration trains with (<see cref="TrainRunOptions.Resume"/> false).</summary>
    public TrainRunOptions ToOptions() => Default with
    {
        DataDirectory = DataDirectory,
        RunDirectory = RunDirectory,
        Plan = Default.Plan with
        {
            Architecture = Architecture, Dimensions = Dimensions, Depth = Depth, Widths = Widths, PatchSize = PatchSize, BatchSize = BatchSize, MemoryBudget = MemoryBudget,
            Cgm = !NoCgm, DeepSupervision = !NoDeepSupervision, Norm = Norm, Normalization = Normalization, SampleCases = SampleCases,
            MaxCaseVoxels = MaxCaseVoxels,
            Layout = Default.Plan.Layout with { Kind = Layout, BinaryForeground = BinaryForeground, Gray = Gray },
            Instances = Instances ? new UNetSharp.Instances.InstanceTargetSettings { BorderWidth = BorderWidth } : null,
        },
        Training = Default.Training with
        {
            Epochs = Epochs, MaxIterations = Iterations, LearningRate = LearningRate, MinLearningRate = MinLearningRate, Optimizer = Optimizer,
            Momentum = Momentum, Nesterov = Nesterov, Schedule = Schedule, TimeBudgetSeconds = TimeBudgetSeconds, WeightDecay = WeightDecay, WarmupEpochs = WarmupEpochs, ValidateEvery = ValidateEvery, Patience = Patience,
            GradientClipNorm = GradientClipNorm, Seed = Seed, Threads = Threads, HeadInit = HeadInit,
            Loss = Default.Training.Loss with
            {
                Kind = Loss, Weighting = DeepSupervisionWeights, CgmWeight = CgmWeight, BatchDice = BatchDice, ClassWeights = ClassWeights, FocalAlpha = FocalAlpha, FocalGamma = FocalGamma,
            },
        },
        BatchesPerEpoch = BatchesPerEpoch,
        ForegroundRatio = ForegroundRatio,
        Augmentation = Augmentation,
        ValidationFraction = ValidationFraction,
        MaxCases = MaxCases,
        ExcludeCases = ExcludeCases,
        DataSeed = DataSeed,
        Folds = Folds,
        Fold = Fold,
        Overlays = Overlays,
        SurfaceDistances = SurfaceDistances,
    };

    /// <summary>The configuration that <see cref="ToOptions"/> turns back into <paramref name="o"/>.</summary>
    public static RunConfiguration From(TrainRunOptions o) => new()
    {
        DataDirectory = o.DataDirectory, RunDirectory = o.RunDirectory,
        Architecture = o.Plan.Architecture, Dimensions = o.Plan.Dimensions, Depth = o.Plan.Depth, Widths = o.Plan.Widths, PatchSize = o.Plan.PatchSize, BatchSize = o.Plan.BatchSize, MemoryBudget = o.Plan.MemoryBudget,
        NoCgm = !o.Plan.Cgm, NoDeepSupervision = !o.Plan.DeepSupervision, Norm = o.Plan.Norm, Normalization = o.Plan.Normalization,
        Layout = o.Plan.Layout.Kind, BinaryForeground = o.Plan.Layout.BinaryForeground, Gray = o.Plan.Layout.Gray, SampleCases = o.Plan.SampleCases,
        MaxCaseVoxels = o.Plan.MaxCaseVoxels,
        Instances = o.Plan.Instances is not null, BorderWidth = o.Plan.Instances?.BorderWidth ?? UNetSharp.Instances.InstanceTargetSettings.DefaultBorderWidth,
        Epochs = o.Training.Epochs, Iterations = o.Training.MaxIterations, BatchesPerEpoch = o.BatchesPerEpoch, ForegroundRatio = o.ForegroundRatio, LearningRate = o.Training.LearningRate,
        MinLearningRate = o.Training.MinLearningRate, Optimizer = o.Training.Optimizer, Momentum = o.Training.Momentum, WeightDecay = o.Training.WeightDecay,
        Nesterov = o.Training.Nesterov, Schedule = o.Training.Schedule, TimeBudgetSeconds = o.Training.TimeBudgetSeconds,
        WarmupEpochs = o.Training.WarmupEpochs, ValidateEvery = o.Training.ValidateEvery, Patience = o.Training.Patience,
        GradientClipNorm = o.Training.GradientClipNorm, Seed = o.Training.Seed, Threads = o.Training.Threads, HeadInit = o.Training.HeadInit,
        Loss = o.Training.Loss.Kind, DeepSupervisionWeights = o.Training.Loss.Weighting, CgmWeight = o.Training.Loss.CgmWeight,
        BatchDice = o.Training.Loss.BatchDice, ClassWeights = o.Training.Loss.ClassWeights, FocalAlpha = o.Training.Loss.FocalAlpha, FocalGamma = o.Training.Loss.FocalGamma,
        Augmentation = o.Augmentation, ValidationFraction = o.ValidationFraction, MaxCases = o.MaxCases, ExcludeCases = o.ExcludeCases, DataSeed = o.DataSeed, Folds = o.Folds, Fold = o.Fold,
        Overlays = o.Overlays, SurfaceDistances = o.SurfaceDistances,
    };

    public string ToJson() => ProjectJson.Serialize(this);

    public void Save(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, TrainingRun.ConfigFileName), ToJson());

    /// <summary>
    /// Reads RUN/config.json. An unknown key is refused (a typo must not silently fall back to a default); a key the file
    /// lacks takes its default, so run folders written before a setting existed still load.
    /// </summary>
    public static RunConfiguration Load(string runFolder)
    {
        string path = Path.Combine(runFolder, TrainingRun.ConfigFileName);
        if (!File.Exists(path)) throw new DataFormatException(path, "not found: the folder holds no run configuration");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new DataFormatException(path, "must hold one JSON object");
            var unknown = node.Select(p => p.Key).Where(k => !Keys.Contains(k)).ToList();
            if (unknown.Count > 0) throw new DataFormatException(path, $"unknown setting(s) {string.Join(", ", unknown)}");
            return node.Deserialize<RunConfiguration>(ProjectJson.Options) ?? throw new DataFormatException(path, "empty (null)");
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid run configuration: {e.Message}", e); }
    }

    /// <summary>Each setting's value as it appears in config.json (for comparing two configurations key by key).</summary>
    public IReadOnlyDictionary<string, string> Values()
    {
        var node = JsonSerializer.SerializeToNode(this, ProjectJson.Compact)!.AsObject();
        return node.ToDictionary(p => p.Key, p => p.Value is null ? "null" : p.Value is JsonValue v && v.TryGetValue(out string? text) ? text : p.Value.ToJsonString(ProjectJson.Compact));
    }

    /// <summary>Settings a resumed run may change: its length (more epochs or iterations), threads, patience, where its data and folder now are, and which cross-validation fold to train.</summary>
    public static IReadOnlySet<string> ChangeableOnResume { get; } = new HashSet<string> { "epochs", "iterations", "threads", "patience", "data", "out", "fold" };

    /// <summary>
    /// Key-by-key comparison of a resume request with the saved run: changes a resumed run may make (more epochs, other
    /// threads...) and conflicts (any other setting, or fewer epochs). Paths compare as full paths.
    /// </summary>
    public static (IReadOnlyList<SettingChange> Allowed, IReadOnlyList<SettingChange> Conflicts) CompareForResume(RunConfiguration saved, RunConfiguration requested)
    {
        var before = saved.Values();
        var after = requested.Values();
        var allowed = new List<SettingChange>();
        var conflicts = new List<SettingChange>();
        foreach (var key in Keys)
        {
            string a = before[key], b = after[key];
            if (a == b || (key is "data" or "out" && Path.GetFullPath(a) == Path.GetFullPath(b))) continue;
            var change = new SettingChange(key, a, b);
            bool longer = key switch
            {
                "epochs" => requested.Epochs > saved.Epochs,
                "iterations" => requested.Iterations is long n && (saved.Iterations is null || n > saved.Iterations),
                _ => true,
            };
            (ChangeableOnResume.Contains(key) && longer ? allowed : conflicts).Add(change);
        }
        return (allowed, conflicts);
    }
}

/// <summary>A setting whose value differs between a saved run (config.json) and a request to resume it.</summary>
public sealed record SettingChange(string Key, string Saved, string Requested);
